"""Requests no friendly client sends get the contract's errors, never a 500 (SQLite and PostgreSQL)."""

import base64
import io
import json

import pytest

from tests.integration.conftest import ADMIN_PASSWORD, token_for


def cursor_of(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query, code", [
    (f"cursor={cursor_of({})}", "invalid_cursor"),
    (f"cursor={cursor_of(12)}", "invalid_cursor"),
    (f"cursor={cursor_of([1, 2])}", "invalid_cursor"),
    ("cursor=e30", "invalid_cursor"),
    ("limit=%D9%A5", "invalid_parameter"),  # an Arabic-Indic five
    ("limit=0", "invalid_parameter"),
    ("limit=99999999999999999999", "invalid_parameter"),
    ("archived=maybe", "invalid_parameter"),
    ("q=a%00b", "invalid_parameter"),
])
def test_a_malformed_query_value_is_400_naming_it(client, admin, query, code):
    response = client.get(f"/api/v1/users?{query}", headers=admin)
    assert response.status_code == 400 and response.json["error"]["code"] == code


def test_a_path_with_a_control_character_is_not_found(client, admin):
    response = client.get("/api/v1/users/a%00b", headers=admin)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/users"])
def test_deeply_nested_json_is_400_malformed_json_even_before_logging_in(client, admin, path):
    body = '{"code": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(path, headers=admin, data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    nested = '{"code": "1", "first_name": ' + "[" * 40 + "]" * 40 + "}"
    response = client.post("/api/v1/users", headers=admin, data=nested, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("body", [
    '{"code": "admin", "password": "abcdefgh\\udb2b"}',  # a lone surrogate: no text a hash or database takes
    '{"code": "admin", "\\udb2b": "x"}',
    '{"code": "admin", "password": NaN}',
])
def test_a_lone_surrogate_or_nan_is_not_json_even_before_logging_in(client, body):
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"


def test_a_nul_character_in_a_login_is_the_ordinary_refusal(client):
    response = client.post("/api/v1/auth/token", json={"code": "ad\x00min", "password": "x\x00y"})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"


def test_a_method_a_resource_does_not_take_is_405_with_allow(client, admin):
    response = client.delete("/api/v1/users", headers=admin)
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@pytest.mark.parametrize("body, field, code", [
    ({"login_method": None}, "login_method", "invalid_login_method"),
    ({"first_name": "x" * 201}, "first_name", "value_too_long"),
    ({"first_name": "Zo\x00ë"}, "first_name", "invalid_text"),
    ({"email": "a@b.nl\n"}, "email", "invalid_email"),
    ({"password": "geheim\x00wachtwoord"}, "password", "invalid_password"),
    ({"colour": "blue"}, "colour", "unknown_field"),
])
def test_a_bad_field_in_a_patch_is_422_and_changes_nothing(client, admin, body, field, code):
    before = client.get("/api/v1/users/admin", headers=admin).json
    response = client.patch("/api/v1/users/admin", headers=admin, json=body)
    assert response.status_code == 422, response.json
    assert (response.json["error"]["code"], response.json["error"]["details"]["field"]) == (code, field)
    assert client.get("/api/v1/users/admin", headers=admin).json == before


def test_a_school_function_name_is_bounded(client, admin):
    response = client.post("/api/v1/school-functions", headers=admin,
                           json={"code": "lang", "name": "x" * 600_000, "rights": []})
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "name"


def test_the_login_refuses_fields_it_does_not_know(client):
    response = client.post("/api/v1/auth/token", json={"code": "admin", "password": "x", "remember": True})
    assert response.status_code == 422 and response.json["error"]["code"] == "unknown_field"


@pytest.fixture(scope="module")
def importer(service_apps):
    """The importer app's test client and an application manager's token for it."""
    manager = token_for(service_apps["users"].test_client(), "admin", ADMIN_PASSWORD)
    return service_apps["importer"].test_client(), {"Authorization": f"Bearer {manager}"}


def test_an_import_list_cursor_not_made_by_the_list_is_400(importer):
    client, manager = importer
    job = client.post("/api/v1/imports", headers=manager, data={"kind": "users", "file": (io.BytesIO(b"code\n1\n"),
                                                                                          "a.csv")})
    assert job.status_code == 202
    for path in ("/api/v1/imports", f"/api/v1/imports/{job.json['id']}/rows"):
        for cursor in ("e30", cursor_of(["not a time", "x"]), cursor_of([-1, 0]), cursor_of([True, 0])):
            response = client.get(f"{path}?cursor={cursor}", headers=manager)
            assert response.status_code == 400 and response.json["error"]["code"] == "invalid_cursor", (path, cursor)


def test_a_json_body_over_one_megabyte_is_413_even_where_uploads_may_be_larger(importer):
    client, manager = importer
    body = json.dumps({"mode": "update", "padding": "y" * (2 * 1024 * 1024)})
    response = client.patch("/api/v1/imports/unknown", headers=manager, data=body, content_type="application/json")
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"


def test_a_schedule_project_option_that_is_no_code_is_refused(importer):
    client, manager = importer
    response = client.post("/api/v1/imports", headers=manager, data={
        "kind": "enrollments", "schedule_project": "2026\x002027", "file": (io.BytesIO(b"student;afdeling\n1;h1\n"),
                                                                           "a.csv")})
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "schedule_project"


def test_school_functions_are_paged_like_every_list(client, admin):
    for code in ("a-functie", "b-functie"):
        client.post("/api/v1/school-functions", headers=admin, json={"code": code, "name": code, "rights": []})
    first = client.get("/api/v1/school-functions?limit=2", headers=admin).json
    rest = client.get(f"/api/v1/school-functions?limit=2&cursor={first['next_cursor']}", headers=admin).json
    codes = [item["code"] for item in first["items"] + rest["items"]]
    assert codes == ["a-functie", "applicatiebeheerder", "b-functie", "leerling"] and rest["next_cursor"] is None
