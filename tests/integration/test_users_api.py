"""The users API over HTTP (Flask's test client) against real SQLite and PostgreSQL and real Redis."""

import json
import threading

import pytest

from shared.auth import issue_token
from shared.config import EVENT_STREAM
from tests.integration.conftest import token_for


def stream_events(redis_client):
    return [json.loads(fields[b"event"]) for _, fields in redis_client.xrange(EVENT_STREAM)]


def test_creating_a_student_returns_the_contracts_user_and_puts_one_event_on_the_stream(client, admin, redis_client):
    response = client.post("/api/v1/users", headers=admin, json={
        "code": "123456", "first_name": "Zoë", "prefix": "van 't", "last_name": "Hof",
        "email": "zoe@example.org", "password": "geheim-wachtwoord", "is_student": True,
    })
    assert response.status_code == 201
    user = response.json
    assert set(user) == {"code", "first_name", "prefix", "last_name", "email", "is_student", "is_employee",
                         "is_family_member", "school_functions", "login_method", "has_password",
                         "archived", "created_at", "updated_at"}
    assert user["school_functions"] == ["leerling"] and user["has_password"] is True
    assert user["created_at"].endswith("Z")
    events = stream_events(redis_client)
    assert [(event["type"], event["data"]["code"]) for event in events] == [("student.created", "123456")]
    assert events[0]["version"] == 1 and events[0]["data"] == user


def test_codes_are_kept_as_written(client, admin):
    assert client.post("/api/v1/users", headers=admin, json={"code": "001234", "is_student": True}).status_code == 201
    assert client.post("/api/v1/users", headers=admin, json={"code": "1234", "is_student": True}).status_code == 201
    assert client.get("/api/v1/users/001234", headers=admin).json["code"] == "001234"


@pytest.mark.parametrize("body, status, code, field", [
    ({"code": "12a45", "is_student": True}, 422, "student_code_not_numeric", "code"),
    ({"code": ""}, 422, "invalid_code", "code"),
    ({"code": "x" * 33}, 422, "invalid_code", "code"),
    ({"code": 12345}, 422, "invalid_code", "code"),
    ({"code": "1", "email": "nope"}, 422, "invalid_email", "email"),
    ({"code": "1", "is_student": "yes"}, 422, "invalid_type", "is_student"),
    ({"code": "1", "first_name": 5}, 422, "invalid_type", "first_name"),
    ({"code": "1", "school_functions": ["conciërge"]}, 422, "unknown_school_function", "school_functions"),
    ({"code": "1", "login_method": "magic"}, 422, "invalid_login_method", "login_method"),
    ({"code": "1", "password": "short"}, 422, "invalid_password", "password"),
    ({"code": "1", "colour": "blue"}, 422, "unknown_field", "colour"),
])
def test_invalid_users_are_refused_with_the_field_named(client, admin, body, status, code, field):
    response = client.post("/api/v1/users", headers=admin, json=body)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["details"]["field"] == field
    assert client.get("/api/v1/users?q=1", headers=admin).json["items"] == []


def test_malformed_json_is_400_and_another_media_type_415(client, admin):
    response = client.post("/api/v1/users", headers=admin, data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    response = client.post("/api/v1/users", headers=admin, data="code=1",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json["error"]["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_413(client, admin):
    body = json.dumps({"code": "1", "first_name": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/users", headers=admin, data=body, content_type="application/json")
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"


def test_a_duplicate_code_is_409(client, admin):
    client.post("/api/v1/users", headers=admin, json={"code": "42"})
    response = client.post("/api/v1/users", headers=admin, json={"code": "42"})
    assert response.status_code == 409 and response.json["error"]["code"] == "user_exists"


def test_two_requests_racing_for_one_code_create_one_user(users_app, admin, redis_client):
    for attempt in range(5):
        code = f"77{attempt}"
        barrier = threading.Barrier(2)
        statuses = []

        def create(barrier=barrier, statuses=statuses, code=code):
            client = users_app.test_client()
            barrier.wait()
            response = client.post("/api/v1/users", headers=admin, json={"code": code, "is_student": True})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201, 409]
    created = [event["data"]["code"] for event in stream_events(redis_client)]
    assert sorted(created) == [f"77{attempt}" for attempt in range(5)]


@pytest.mark.parametrize("headers, code", [
    ({}, "missing_token"),
    ({"Authorization": "Bearer not-a-token"}, "invalid_token"),
    ({"Authorization": "Bearer " + issue_token("some other secret, forged, long enough!!", "admin", ["users:read"])},
     "invalid_token"),
    ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "missing_token"),
])
def test_missing_forged_or_foreign_tokens_are_401(client, headers, code):
    response = client.get("/api/v1/users", headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == code


def test_a_students_token_is_403_on_administrative_endpoints_but_reads_its_own_record(client, admin):
    client.post("/api/v1/users", headers=admin, json={"code": "5005", "is_student": True, "password": "leerling-pw"})
    student = {"Authorization": f"Bearer {token_for(client, '5005', 'leerling-pw')}"}
    response = client.post("/api/v1/users", headers=student, json={"code": "6006"})
    assert response.status_code == 403 and response.json["error"]["code"] == "insufficient_rights"
    assert client.get("/api/v1/users", headers=student).status_code == 403
    assert client.get("/api/v1/users/admin", headers=student).status_code == 403
    assert client.get("/api/v1/users/5005", headers=student).json["code"] == "5005"
    assert client.get("/api/v1/users/5005/rights", headers=student).json == {"rights": []}


def test_login_answers_the_same_for_an_unknown_code_and_a_wrong_password(client):
    unknown = client.post("/api/v1/auth/token", json={"code": "nobody", "password": "whatever1"})
    wrong = client.post("/api/v1/auth/token", json={"code": "admin", "password": "whatever1"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json


def test_an_archived_user_cannot_log_in(client, admin):
    client.post("/api/v1/users", headers=admin, json={"code": "8008", "password": "password-8008"})
    client.patch("/api/v1/users/8008", headers=admin, json={"archived": True})
    assert client.post("/api/v1/auth/token", json={"code": "8008", "password": "password-8008"}).status_code == 401


def test_rights_follow_configured_school_functions(client, admin):
    response = client.post("/api/v1/school-functions", headers=admin,
                           json={"code": "mentor", "name": "Mentor", "rights": ["users:read"]})
    assert response.status_code == 201
    client.post("/api/v1/users", headers=admin,
                json={"code": "m1", "school_functions": ["mentor"], "password": "mentor-pass", "is_employee": True})
    mentor = {"Authorization": f"Bearer {token_for(client, 'm1', 'mentor-pass')}"}
    assert client.get("/api/v1/users", headers=mentor).status_code == 200
    assert client.post("/api/v1/users", headers=mentor, json={"code": "m2"}).status_code == 403
    response = client.put("/api/v1/school-functions/mentor", headers=admin,
                          json={"name": "Mentor", "rights": ["users:read", "users:write"]})
    assert response.status_code == 200
    assert client.get("/api/v1/users/m1/rights", headers=admin).json == {"rights": ["users:read", "users:write"]}
    unknown = client.put("/api/v1/school-functions/mentor", headers=admin, json={"name": "M", "rights": ["root"]})
    assert unknown.status_code == 422 and unknown.json["error"]["code"] == "unknown_right"
    codes = [function["code"] for function in client.get("/api/v1/school-functions", headers=admin).json["items"]]
    assert codes == ["applicatiebeheerder", "leerling", "mentor"]


def test_listing_filters_by_type_searches_and_pages_in_code_order(client, admin):
    for code, body in [("300", {"is_student": True, "first_name": "Noor"}), ("100", {"is_student": True}),
                       ("t.bakker", {"is_employee": True, "last_name": "Bakker"}),
                       ("p1", {"is_family_member": True, "email": "NOOR.ouder@example.org"})]:
        assert client.post("/api/v1/users", headers=admin, json={"code": code, **body}).status_code == 201
    students = client.get("/api/v1/users?type=student", headers=admin).json["items"]
    assert [user["code"] for user in students] == ["100", "300"]
    found = client.get("/api/v1/users?q=noor", headers=admin).json["items"]
    assert [user["code"] for user in found] == ["300", "p1"]
    first = client.get("/api/v1/users?limit=2", headers=admin).json
    second = client.get(f"/api/v1/users?limit=2&cursor={first['next_cursor']}", headers=admin).json
    third = client.get(f"/api/v1/users?limit=2&cursor={second['next_cursor']}", headers=admin).json
    pages = [user["code"] for page in (first, second, third) for user in page["items"]]
    assert pages == ["100", "300", "admin", "p1", "t.bakker"] and third["next_cursor"] is None
    for query, code in (("type=teacher", "invalid_parameter"), ("limit=5000", "invalid_parameter"),
                        ("cursor=%%%", "invalid_cursor")):
        refused = client.get(f"/api/v1/users?{query}", headers=admin)
        assert (refused.status_code, refused.json["error"]["code"]) == (400, code), query


def test_patching_changes_fields_and_types_and_publishes_student_updates(client, admin, redis_client):
    client.post("/api/v1/users", headers=admin, json={"code": "9009", "is_employee": True})
    response = client.patch("/api/v1/users/9009", headers=admin, json={"is_student": True, "last_name": "Çelik"})
    assert response.status_code == 200 and response.json["school_functions"] == ["leerling"]
    client.patch("/api/v1/users/9009", headers=admin, json={"archived": True})
    archived = client.get("/api/v1/users?archived=true", headers=admin).json["items"]
    assert [user["code"] for user in archived] == ["9009"]
    types = [event["type"] for event in stream_events(redis_client)]
    assert types == ["student.created", "student.updated"]
    refused = client.patch("/api/v1/users/9009", headers=admin, json={"code": "1"})
    assert refused.status_code == 422
    assert client.patch("/api/v1/users/404404", headers=admin, json={"first_name": "X"}).status_code == 404


def test_unknown_paths_and_methods_answer_in_the_error_shape(client, admin):
    assert client.get("/api/v1/nope", headers=admin).json["error"]["code"] == "not_found"
    assert client.delete("/api/v1/users/1", headers=admin).json["error"]["code"] == "method_not_allowed"


def test_the_openapi_document_lists_every_users_endpoint_of_the_contract(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/users"]) == {"get", "post"}
    assert set(paths["/api/v1/users/{code}"]) == {"get", "patch"}
    assert "get" in paths["/api/v1/users/{code}/rights"]
    assert "post" in paths["/api/v1/auth/token"]
    assert set(paths["/api/v1/school-functions"]) == {"get", "post"}
    assert "put" in paths["/api/v1/school-functions/{code}"]


def test_health_is_ok_once_migrated_with_an_application_manager(client):
    assert client.get("/health").json["status"] == "ok"
