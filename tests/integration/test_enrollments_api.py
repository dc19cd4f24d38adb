"""The enrollments API over HTTP (Flask's test client) against real SQLite and PostgreSQL and real Redis.

Students become known to the service only through student events on the stream; no consumer runs
here, so every test also shows that the service catches up with the stream before it validates.
"""

import csv
import io
import json
import re
from urllib.parse import quote

import pytest
import redis
from sqlalchemy import text as sql_text

from services.enrollments import handlers
from services.enrollments.app import create_app
from services.enrollments.bootstrap import build_service, migrate
from shared.auth import issue_token
from shared.config import EVENT_STREAM, Settings
from shared.events.envelope import STUDENT_CREATED, STUDENT_UPDATED, Envelope
from shared.messages import Chunk, RowIn
from shared.policy import Actor
from shared.rights import RIGHTS
from tests.services import fresh_postgres_database

SECRET = "enrollments-integration-secret-0123456789"
PROJECT = "2026-2027-hv"
ENROLLMENT_FIELDS = {"id", "schedule_project", "student", "student_name", "student_status", "department",
                     "prognosis", "profile", "education", "main_group", "learning_path", "created_at"}


@pytest.fixture(params=["sqlite", "postgresql"])
def enrollments_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'enrollments.sqlite3'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def enrollments_settings(tmp_path, enrollments_database_url, redis_url):
    return Settings.from_env({
        "PORTAL_DATA_DIR": str(tmp_path),
        "ENROLLMENTS_DATABASE_URL": enrollments_database_url,
        "REDIS_URL": redis_url,
        "PORTAL_SECRET_KEY": SECRET,
    })


@pytest.fixture
def events(redis_url):
    """The Redis DB, flushed at the start of each test."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def api(enrollments_settings, events, redis_url):
    migrate(enrollments_settings)
    service = build_service(enrollments_settings, redis.Redis.from_url(redis_url))
    app = create_app(enrollments_settings, service)
    yield app.test_client()
    service.engine.dispose()


@pytest.fixture
def admin():
    return {"Authorization": f"Bearer {issue_token(SECRET, 'admin', list(RIGHTS))}"}


@pytest.fixture
def nobody():
    return {"Authorization": f"Bearer {issue_token(SECRET, 'nobody', [])}"}


def user(code, is_student=True, archived=False, updated_at="2026-11-28T10:00:00.000000Z", **names):
    return {"code": code, "first_name": names.get("first_name", "Zoë"), "prefix": names.get("prefix"),
            "last_name": names.get("last_name", "Hof"), "email": None, "is_student": is_student,
            "is_employee": False, "is_family_member": False,
            "school_functions": ["leerling"] if is_student else [], "login_method": "password",
            "has_password": True, "archived": archived, "created_at": "2026-11-28T09:00:00.000000Z",
            "updated_at": updated_at}


def publish(client, event_type, data):
    envelope = Envelope.new(event_type, data)
    client.xadd(EVENT_STREAM, {"event": envelope.to_json()})
    return envelope


def publish_student(client, code, **fields):
    return publish(client, STUDENT_CREATED, user(code, **fields))


def error_code(response):
    return response.json["error"]["code"]


@pytest.fixture
def project(api, admin):
    response = api.post("/api/v1/schedule-projects", headers=admin,
                        json={"code": PROJECT, "name": "Havo/vwo 2026-2027", "school_year": "2026-2027"})
    assert response.status_code == 201, response.json
    for code, year in (("h1", 1), ("v4", 4)):
        response = api.post(f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin,
                            json={"code": code, "name": code.upper(), "year_of_education": year})
        assert response.status_code == 201, response.json
    return PROJECT


def enroll(api, headers, **body):
    return api.post(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=headers, json=body)


def add_path(api, headers, code, years, educations=(), profiles=(), element_code=None):
    response = api.post("/api/v1/learning-paths", headers=headers, json={
        "code": code, "name": code.upper(), "element_code": element_code or f"E-{code}",
        "years_of_education": list(years), "educations": list(educations), "profiles": list(profiles)})
    assert response.status_code == 201, response.json
    return response.json


# schedule projects and departments

def test_a_schedule_project_is_created_once_and_listed(api, admin):
    body = {"code": PROJECT, "name": "Havo/vwo", "school_year": "2026-2027"}
    response = api.post("/api/v1/schedule-projects", headers=admin, json=body)
    assert response.status_code == 201
    assert {key: response.json[key] for key in body} == body
    again = api.post("/api/v1/schedule-projects", headers=admin, json=body)
    assert again.status_code == 409 and error_code(again) == "schedule_project_exists"
    api.post("/api/v1/schedule-projects", headers=admin, json={**body, "code": "2025-2026"})
    listed = api.get("/api/v1/schedule-projects", headers=admin)
    assert listed.status_code == 200
    assert [item["code"] for item in listed.json["items"]] == ["2025-2026", PROJECT]
    assert listed.json["next_cursor"] is None


def test_schedule_projects_are_paged_with_a_cursor(api, admin):
    for code in ("p1", "p2", "p3"):
        api.post("/api/v1/schedule-projects", headers=admin,
                 json={"code": code, "name": code, "school_year": "2026-2027"})
    first = api.get("/api/v1/schedule-projects?limit=2", headers=admin).json
    assert [item["code"] for item in first["items"]] == ["p1", "p2"] and first["next_cursor"]
    second = api.get(f"/api/v1/schedule-projects?limit=2&cursor={first['next_cursor']}", headers=admin).json
    assert [item["code"] for item in second["items"]] == ["p3"] and second["next_cursor"] is None


def test_a_department_is_created_with_its_year_of_education_once(api, admin, project):
    url = f"/api/v1/schedule-projects/{project}/departments"
    response = api.post(url, headers=admin, json={"code": "v5", "name": "Vwo 5", "year_of_education": 5})
    assert response.status_code == 201
    assert response.json["code"] == "v5" and response.json["year_of_education"] == 5
    assert response.json["name"] == "Vwo 5"
    again = api.post(url, headers=admin, json={"code": "v5", "name": "Vwo 5", "year_of_education": 5})
    assert again.status_code == 409 and error_code(again) == "department_exists"
    listed = api.get(url, headers=admin).json["items"]
    assert [(item["code"], item["year_of_education"]) for item in listed] == [("h1", 1), ("v4", 4), ("v5", 5)]


def test_a_department_of_an_unknown_project_is_404(api, admin):
    response = api.post("/api/v1/schedule-projects/nope/departments", headers=admin,
                        json={"code": "h1", "name": "H1", "year_of_education": 1})
    assert response.status_code == 404 and error_code(response) == "schedule_project_not_found"
    assert api.get("/api/v1/schedule-projects/nope/departments", headers=admin).status_code == 404


@pytest.mark.parametrize("year", [0, 13, "4", 4.5, True, None])
def test_a_department_with_a_bad_year_of_education_is_422(api, admin, project, year):
    response = api.post(f"/api/v1/schedule-projects/{project}/departments", headers=admin,
                        json={"code": "x1", "name": "X", "year_of_education": year})
    assert response.status_code == 422
    assert response.json["error"]["details"]["field"] == "year_of_education"


# enrollment by hand

def test_a_student_published_just_before_the_request_can_be_enrolled(api, admin, project, events):
    publish_student(events, "001234")
    response = enroll(api, admin, student="001234", department="v4")
    assert response.status_code == 201, response.json
    enrollment = response.json
    assert set(enrollment) == ENROLLMENT_FIELDS
    assert isinstance(enrollment["id"], int)
    assert {key: value for key, value in enrollment.items() if key not in ("id", "created_at")} == {
        "schedule_project": PROJECT, "student": "001234", "student_name": "Zoë Hof", "student_status": "active",
        "department": "v4", "prognosis": None, "profile": None, "education": None, "main_group": None,
        "learning_path": None}
    assert enrollment["created_at"].endswith("Z")
    listed = api.get(f"/api/v1/schedule-projects/{project}/enrollments", headers=admin).json["items"]
    assert listed == [enrollment]


def test_an_enrollment_keeps_its_optional_fields(api, admin, project, events):
    publish_student(events, "123456")
    response = enroll(api, admin, student="123456", department="v4", prognosis="75%", profile="NT",
                      education="vwo", main_group="v4a")
    assert response.status_code == 201, response.json
    assert response.json["prognosis"] == 75
    assert (response.json["profile"], response.json["education"], response.json["main_group"]) == ("NT", "vwo", "v4a")
    stored = api.get(f"/api/v1/schedule-projects/{project}/enrollments?student=123456", headers=admin).json
    assert stored["items"][0]["prognosis"] == 75


def test_a_second_enrollment_in_the_same_project_is_409(api, admin, project, events):
    publish_student(events, "123456")
    assert enroll(api, admin, student="123456", department="v4").status_code == 201
    again = enroll(api, admin, student="123456", department="h1")
    assert again.status_code == 409 and error_code(again) == "enrollment_exists"
    listed = api.get(f"/api/v1/schedule-projects/{project}/enrollments", headers=admin).json["items"]
    assert [(item["student"], item["department"]) for item in listed] == [("123456", "v4")]


def test_a_code_never_published_is_an_unknown_student(api, admin, project, events):
    publish_student(events, "123456")
    response = enroll(api, admin, student="654321", department="v4")
    assert response.status_code == 422 and error_code(response) == "unknown_student"
    assert response.json["error"]["details"]["field"] == "student"


@pytest.mark.parametrize("change", [{"is_student": False}, {"archived": True}])
def test_a_student_who_no_longer_is_one_is_not_a_student(api, admin, project, events, change):
    publish_student(events, "123456")
    publish(events, STUDENT_UPDATED, user("123456", updated_at="2026-11-28T11:00:00.000000Z", **change))
    response = enroll(api, admin, student="123456", department="v4")
    assert response.status_code == 422 and error_code(response) == "not_a_student"


def test_an_unknown_department_is_422(api, admin, project, events):
    publish_student(events, "123456")
    response = enroll(api, admin, student="123456", department="x9")
    assert response.status_code == 422 and error_code(response) == "unknown_department"


@pytest.mark.parametrize("prognosis", ["abc", 120, "120", -1, True])
def test_a_prognosis_outside_0_to_100_is_invalid(api, admin, project, events, prognosis):
    publish_student(events, "123456")
    response = enroll(api, admin, student="123456", department="v4", prognosis=prognosis)
    assert response.status_code == 422 and error_code(response) == "invalid_prognosis"
    assert api.get(f"/api/v1/schedule-projects/{project}/enrollments", headers=admin).json["items"] == []


def test_enrolling_in_an_unknown_project_is_404(api, admin, events):
    publish_student(events, "123456")
    response = enroll(api, admin, student="123456", department="v4")
    assert response.status_code == 404 and error_code(response) == "schedule_project_not_found"


def test_enrollments_are_filtered_by_department_and_student_and_paged(api, admin, project, events):
    for code, department in (("100001", "h1"), ("100002", "v4"), ("100003", "h1"), ("100004", "h1")):
        publish_student(events, code)
        assert enroll(api, admin, student=code, department=department).status_code == 201
    url = f"/api/v1/schedule-projects/{project}/enrollments"
    by_department = api.get(f"{url}?department=h1", headers=admin).json["items"]
    assert [item["student"] for item in by_department] == ["100001", "100003", "100004"]
    by_student = api.get(f"{url}?student=100002", headers=admin).json["items"]
    assert [(item["student"], item["department"]) for item in by_student] == [("100002", "v4")]
    assert api.get(f"{url}?department=h1&student=100002", headers=admin).json["items"] == []

    seen, cursor = [], None
    while True:
        page = api.get(f"{url}?limit=3" + (f"&cursor={cursor}" if cursor else ""), headers=admin).json
        seen.append([item["student"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [["100001", "100002", "100003"], ["100004"]]


def test_an_enrollment_is_deleted_once(api, admin, project, events):
    publish_student(events, "123456")
    created = enroll(api, admin, student="123456", department="v4").json
    url = f"/api/v1/schedule-projects/{project}/enrollments/{created['id']}"
    response = api.delete(url, headers=admin)
    assert response.status_code == 204 and response.data == b""
    again = api.delete(url, headers=admin)
    assert again.status_code == 404
    assert api.get(f"/api/v1/schedule-projects/{project}/enrollments", headers=admin).json["items"] == []
    assert enroll(api, admin, student="123456", department="h1").status_code == 201


def test_a_token_without_rights_is_403_and_no_token_is_401(api, admin, nobody, project, events):
    publish_student(events, "123456")
    requests = [
        ("get", "/api/v1/schedule-projects", None),
        ("post", "/api/v1/schedule-projects", {"code": "p", "name": "p", "school_year": "2026-2027"}),
        ("get", f"/api/v1/schedule-projects/{project}/departments", None),
        ("post", f"/api/v1/schedule-projects/{project}/departments",
         {"code": "a", "name": "a", "year_of_education": 1}),
        ("get", f"/api/v1/schedule-projects/{project}/enrollments", None),
        ("post", f"/api/v1/schedule-projects/{project}/enrollments", {"student": "123456", "department": "v4"}),
        ("delete", f"/api/v1/schedule-projects/{project}/enrollments/1", None),
        ("patch", f"/api/v1/schedule-projects/{project}/enrollments/1", {"main_group": "1A"}),
        ("patch", f"/api/v1/schedule-projects/{project}", {"name": "p"}),
        ("delete", f"/api/v1/schedule-projects/{project}", None),
        ("patch", f"/api/v1/schedule-projects/{project}/departments/h1", {"name": "h"}),
        ("delete", f"/api/v1/schedule-projects/{project}/departments/h1", None),
        ("get", "/api/v1/learning-paths/l", None),
        ("patch", "/api/v1/learning-paths/l", {"name": "l"}),
        ("delete", "/api/v1/learning-paths/l", None),
        ("get", "/api/v1/learning-paths", None),
        ("post", "/api/v1/learning-paths", {"code": "l", "name": "l", "element_code": "e", "years_of_education": [1]}),
        ("get", f"/api/v1/schedule-projects/{project}/placements", None),
    ]
    for method, url, body in requests:
        kwargs = {"json": body} if body is not None else {}
        forbidden = getattr(api, method)(url, headers=nobody, **kwargs)
        assert forbidden.status_code == 403, (method, url)
        assert error_code(forbidden) == "insufficient_rights"
        assert forbidden.json["error"]["details"]["right"] == ("enrollments:read" if method == "get"
                                                               else "enrollments:write")
        anonymous = getattr(api, method)(url, **kwargs)
        assert anonymous.status_code == 401, (method, url)
        assert error_code(anonymous) == "missing_token"
    assert api.get(f"/api/v1/schedule-projects/{project}/enrollments", headers=admin).json["items"] == []
    assert [item["code"] for item in api.get(f"/api/v1/schedule-projects/{project}/departments",
                                             headers=admin).json["items"]] == ["h1", "v4"]


def test_a_read_right_reads_but_does_not_write(api, project):
    reader = {"Authorization": f"Bearer {issue_token(SECRET, 'reader', ['enrollments:read'])}"}
    assert api.get("/api/v1/schedule-projects", headers=reader).status_code == 200
    response = api.post("/api/v1/schedule-projects", headers=reader,
                        json={"code": "p", "name": "p", "school_year": "2026-2027"})
    assert response.status_code == 403


# learning paths and placements

def test_a_learning_path_is_created_once_and_listed(api, admin):
    body = {"code": "vwo-nt", "name": "Vwo NT", "element_code": "2773", "lwoo_element_code": None,
            "years_of_education": [4, 5, 6], "educations": ["vwo"], "profiles": ["NT", "NG"]}
    response = api.post("/api/v1/learning-paths", headers=admin, json=body)
    assert response.status_code == 201
    assert response.json == body
    again = api.post("/api/v1/learning-paths", headers=admin, json=body)
    assert again.status_code == 409 and error_code(again) == "learning_path_exists"
    assert api.get("/api/v1/learning-paths", headers=admin).json["items"] == [body]


def test_a_learning_path_defined_after_the_enrollment_applies_when_read(api, admin, project, events):
    publish_student(events, "123456")
    created = enroll(api, admin, student="123456", department="v4", education="VWO", profile="nt").json
    assert created["learning_path"] is None
    add_path(api, admin, "vwo-nt", [4, 5, 6], educations=["vwo"], profiles=["NT"])
    add_path(api, admin, "havo-nt", [4, 5], educations=["havo"], profiles=["NT"])
    listed = api.get(f"/api/v1/schedule-projects/{project}/enrollments", headers=admin).json["items"]
    assert listed[0]["learning_path"] == "vwo-nt"


def placement_setup(api, admin, events):
    for code in ("100001", "100002", "100003"):
        publish_student(events, code)
    add_path(api, admin, "onderbouw", [1], element_code="E1")
    add_path(api, admin, "vwo-nt", [4], educations=["vwo"], profiles=["NT"], element_code="E4NT")
    add_path(api, admin, "vwo-any-a", [4], educations=["vwo"], profiles=["EM"], element_code="E4A")
    add_path(api, admin, "vwo-any-b", [4], profiles=["EM"], element_code="E4B")
    assert enroll(api, admin, student="100001", department="h1", main_group="h1a").status_code == 201
    assert enroll(api, admin, student="100002", department="v4", education="vwo", profile="EM").status_code == 201
    assert enroll(api, admin, student="100003", department="v4", education="havo", profile="NT").status_code == 201


def test_placements_list_placed_students_and_the_ones_without_a_learning_path_with_why(api, admin, project, events):
    placement_setup(api, admin, events)
    response = api.get(f"/api/v1/schedule-projects/{project}/placements", headers=admin)
    assert response.status_code == 200
    assert response.json == {
        "placements": [{"student": "100001", "department": "h1", "main_group": "h1a", "learning_path": "onderbouw",
                        "element_code": "E1"}],
        "without_learning_path": [
            {"student": "100002", "department": "v4", "reason": "ambiguous_learning_path"},
            {"student": "100003", "department": "v4", "reason": "no_matching_learning_path"},
        ],
        "excluded": [],
    }


def test_placements_as_csv_are_semicolon_separated_with_the_somtoday_header(api, admin, project, events):
    placement_setup(api, admin, events)
    publish_student(events, "100004")
    assert enroll(api, admin, student="100004", department="v4", education="vwo", profile="NT").status_code == 201
    response = api.get(f"/api/v1/schedule-projects/{project}/placements?format=csv", headers=admin)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8").lstrip("\ufeff")
    lines = text.splitlines()
    assert lines[0] == "leerlingnummer;afdeling;stamklas;leerpad;elementcode"
    assert lines[1:] == ["100001;h1;h1a;onderbouw;E1", "100004;v4;;vwo-nt;E4NT"]
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[2] == ["100004", "v4", "", "vwo-nt", "E4NT"]


def test_placements_csv_cells_a_spreadsheet_could_run_as_formulas_are_prefixed_and_the_filename_is_safe(
        api, admin, events):
    refused = api.post("/api/v1/schedule-projects", headers=admin,
                       json={"code": '2026";filename=evil.exe', "name": "Formules", "school_year": "2026-2027"})
    assert refused.status_code == 422 and error_code(refused) == "invalid_code"
    project = "@2026-formules"  # '@' is a code character, not a filename character
    response = api.post("/api/v1/schedule-projects", headers=admin,
                        json={"code": project, "name": "Formules", "school_year": "2026-2027"})
    assert response.status_code == 201, response.json
    base = f"/api/v1/schedule-projects/{quote(project, safe='')}"
    for department, year in (("h1", 1), ("-v4", 4)):
        assert api.post(f"{base}/departments", headers=admin,
                        json={"code": department, "name": department, "year_of_education": year}).status_code == 201
    add_path(api, admin, "onderbouw", [1], element_code="E1")
    add_path(api, admin, "-bovenbouw", [4], element_code="@E4")
    for student, department, main_group in (("100001", "h1", '=HYPERLINK("http://x")'),
                                            ("@100002", "-v4", "+cmd|' /C calc'!A0")):
        publish_student(events, student)
        response = api.post(f"{base}/enrollments", headers=admin,
                            json={"student": student, "department": department, "main_group": main_group})
        assert response.status_code == 201, response.json
    response = api.get(f"{base}/placements?format=csv", headers=admin)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="plaatsingen-_2026-formules.csv"'
    assert list(csv.reader(io.StringIO(response.data.decode("utf-8")), delimiter=";"))[1:] == [
        ["100001", "h1", "'=HYPERLINK(\"http://x\")", "onderbouw", "E1"],
        ["'@100002", "'-v4", "'+cmd|' /C calc'!A0", "'-bovenbouw", "'@E4"],
    ]


def test_placements_of_an_unknown_project_are_404(api, admin):
    response = api.get("/api/v1/schedule-projects/nope/placements", headers=admin)
    assert response.status_code == 404 and error_code(response) == "schedule_project_not_found"


# events

def test_a_late_older_event_does_not_overwrite_a_newer_state(api, admin, project, events):
    publish_student(events, "100001", updated_at="2026-11-28T09:00:00.000000Z")
    publish_student(events, "100002", updated_at="2026-11-28T09:00:00.000000Z")
    # 100001 is archived at 11:00; the 10:00 update (still a student) arrives late.
    publish(events, STUDENT_UPDATED, user("100001", archived=True, updated_at="2026-11-28T11:00:00.000000Z"))
    publish(events, STUDENT_UPDATED, user("100001", archived=False, updated_at="2026-11-28T10:00:00.000000Z"))
    # 100002 is archived at 10:00 and restored at 11:00; the 10:00 update arrives late.
    publish(events, STUDENT_UPDATED, user("100002", archived=False, updated_at="2026-11-28T11:00:00.000000Z"))
    publish(events, STUDENT_UPDATED, user("100002", archived=True, updated_at="2026-11-28T10:00:00.000000Z"))
    response = enroll(api, admin, student="100001", department="v4")
    assert response.status_code == 422 and error_code(response) == "not_a_student"
    assert enroll(api, admin, student="100002", department="v4").status_code == 201


def test_the_same_envelope_delivered_again_changes_nothing(api, admin, project, events):
    created = publish_student(events, "100001", updated_at="2026-11-28T09:00:00.000000Z")
    publish(events, STUDENT_UPDATED, user("100001", is_student=False, updated_at="2026-11-28T10:00:00.000000Z"))
    events.xadd(EVENT_STREAM, {"event": created.to_json()})  # the same envelope again
    response = enroll(api, admin, student="100001", department="v4")
    assert response.status_code == 422 and error_code(response) == "not_a_student"


def test_a_student_given_the_type_back_later_is_a_student_again(api, admin, project, events):
    publish_student(events, "100001", updated_at="2026-11-28T09:00:00.000000Z")
    publish(events, STUDENT_UPDATED, user("100001", is_student=False, updated_at="2026-11-28T10:00:00.000000Z"))
    publish(events, STUDENT_CREATED, user("100001", updated_at="2026-11-28T11:00:00.000000Z"))
    assert enroll(api, admin, student="100001", department="v4").status_code == 201


def test_an_invalid_token_is_401(api, project):
    forged = {"Authorization": f"Bearer {issue_token('another-secret-of-32-characters-long!', 'admin', list(RIGHTS))}"}
    response = api.get("/api/v1/schedule-projects", headers=forged)
    assert response.status_code == 401 and error_code(response) == "invalid_token"


# OpenAPI

CONTRACT_PATHS = {
    "/api/v1/schedule-projects": {"get", "post"},
    "/api/v1/schedule-projects/{p}/departments": {"get", "post"},
    "/api/v1/schedule-projects/{p}/enrollments": {"get", "post"},
    "/api/v1/schedule-projects/{p}": {"patch", "delete"},
    "/api/v1/schedule-projects/{p}/departments/{d}": {"patch", "delete"},
    "/api/v1/schedule-projects/{p}/enrollments/{id}": {"patch", "delete"},
    "/api/v1/learning-paths": {"get", "post"},
    "/api/v1/learning-paths/{code}": {"get", "patch", "delete"},
    "/api/v1/schedule-projects/{p}/placements": {"get"},
}


def _template(path):
    """The path with its parameters unnamed: the contract writes {p} and {id} for any name."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_openapi_document_lists_every_enrollments_path_of_the_contract(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    documented = {_template(path): set(operations) for path, operations in response.json["paths"].items()}
    for path, methods in CONTRACT_PATHS.items():
        assert _template(path) in documented, path
        assert methods <= documented[_template(path)], path


# imported rows act for a person

def import_chunk(actor, dry_run):
    return Chunk("job-1", 0, 0, dry_run, {"mode": "import", "as_student": False, "schedule_project": PROJECT},
                 [RowIn(2, {"student": "500001", "department": "h1"})], actor=actor.to_dict())


def test_imported_enrollments_beyond_the_actors_rights_are_errors_in_preview_and_outcome(api, project, events):
    publish_student(events, "500001")
    service = api.application.extensions["enrollments"]
    uow = service.unit_of_work
    importer_only = Actor("imp.jansen", frozenset({"imports:write", "users:write"}))
    for dry_run in (True, False):
        [row] = handlers.apply_enrollment_rows(uow(), service.directory, import_chunk(importer_only, dry_run)).rows
        assert (row.action, row.reason) == ("error", "insufficient_rights")
        assert row.params == {"missing": ["enrollments:write"]}
    assert handlers.list_enrollments(uow(), PROJECT) == []
    enroller = Actor("roostermaker", frozenset({"imports:write", "enrollments:write"}))
    [row] = handlers.apply_enrollment_rows(uow(), service.directory, import_chunk(enroller, dry_run=False)).rows
    assert (row.action, row.applied) == ("create", True)
    assert [enrollment["student"] for enrollment in handlers.list_enrollments(uow(), PROJECT)] == ["500001"]


@pytest.mark.parametrize("body, field", [
    ({"code": "p\x00", "name": "P", "school_year": "2026-2027"}, "code"),
    ({"code": "p/1", "name": "P", "school_year": "2026-2027"}, "code"),
    ({"code": "p1", "name": "Havo\x00", "school_year": "2026-2027"}, "name"),
    ({"code": "p1", "name": "Havo", "school_year": "2026\n2027"}, "school_year"),
    ({"code": "p1", "name": "Havo", "school_year": "2026-2027\n"}, "school_year"),
    ({"code": "p1", "name": "Havo", "school_year": "volgend jaar"}, "school_year"),
])
def test_codes_outside_the_rule_and_control_characters_are_422_on_every_database(api, admin, body, field):
    response = api.post("/api/v1/schedule-projects", headers=admin, json=body)
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == field


@pytest.mark.parametrize("path, body, field, code", [
    ("/api/v1/schedule-projects", {"code": "p2", "name": "P", "school_year": "2026-2027", "colour": "x"},
     "colour", "unknown_field"),
    ("/api/v1/schedule-projects", {"code": "p2", "name": "P", "school_year": "2026-2027-2028-2029-2030"},
     "school_year", "value_too_long"),
    ("/api/v1/learning-paths", {"code": "lp", "name": "L", "element_code": "E", "years_of_education": [2**70]},
     "years_of_education", "invalid_year_of_education"),
    ("/api/v1/learning-paths", {"code": "lp", "name": "L", "element_code": "E", "years_of_education": [0]},
     "years_of_education", "invalid_year_of_education"),
    ("/api/v1/learning-paths", {"code": "lp", "name": "L", "element_code": "E", "years_of_education": [1],
                                "lwoo_element_code": "x" * 65}, "lwoo_element_code", "value_too_long"),
    (f"/api/v1/schedule-projects/{PROJECT}/enrollments", {"student": "100001", "department": "h1",
                                                          "prognosis": 10**400}, "prognosis", "invalid_prognosis"),
    (f"/api/v1/schedule-projects/{PROJECT}/enrollments", {"student": "100001", "department": "h1", "klas": "1a"},
     "klas", "unknown_field"),
])
def test_bad_bodies_are_422_naming_the_field_on_every_database(api, admin, project, events, path, body, field, code):
    publish_student(events, "100001")
    response = api.post(path, headers=admin, json=body)
    assert response.status_code == 422, response.json
    assert (response.json["error"]["code"], response.json["error"]["details"]["field"]) == (code, field)


def test_an_enrollment_id_no_row_can_have_is_not_found(api, admin, project):
    response = api.delete(f"/api/v1/schedule-projects/{PROJECT}/enrollments/99999999999999999999", headers=admin)
    assert response.status_code == 404 and error_code(response) == "enrollment_not_found"


def test_a_cursor_not_made_by_the_list_is_400(api, admin, project):
    for path in ("/api/v1/schedule-projects", f"/api/v1/schedule-projects/{PROJECT}/enrollments"):
        response = api.get(f"{path}?cursor=e30", headers=admin)
        assert response.status_code == 400 and error_code(response) == "invalid_cursor"


def test_placements_in_a_format_there_is_none_of_is_400(api, admin, project):
    response = api.get(f"/api/v1/schedule-projects/{PROJECT}/placements?format=xml", headers=admin)
    assert response.status_code == 400 and error_code(response) == "invalid_parameter"


def test_departments_and_learning_paths_are_paged_like_every_list(api, admin, project):
    for code in ("h2", "h3"):
        api.post(f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin,
                 json={"code": code, "name": code, "year_of_education": 2})
    for code in ("a", "b", "c"):
        add_path(api, admin, code, [1])
    for path, expected in ((f"/api/v1/schedule-projects/{PROJECT}/departments", ["h1", "h2", "h3", "v4"]),
                           ("/api/v1/learning-paths", ["a", "b", "c"])):
        first = api.get(f"{path}?limit=2", headers=admin).json
        rest = api.get(f"{path}?limit=2&cursor={first['next_cursor']}", headers=admin).json
        assert [item["code"] for item in first["items"] + rest["items"]] == expected


# upkeep: everything an administrator sets up can be corrected

def audit_entries(api):
    """The audit entries the service wrote to its outbox, in writing order: (action, target, details)."""
    service = api.application.extensions["enrollments"]
    with service.engine.connect() as connection:
        envelopes = connection.execute(sql_text("SELECT envelope FROM outbox_events ORDER BY id")).scalars()
        entries = [json.loads(envelope)["data"] for envelope in envelopes]
    return [(entry["action"], entry["target"], entry["details"]) for entry in entries]


def test_a_schedule_project_is_changed_and_the_change_audited(api, admin, project):
    response = api.patch(f"/api/v1/schedule-projects/{PROJECT}", headers=admin,
                         json={"name": " Havo/vwo bovenbouw ", "school_year": "2027-2028"})
    assert response.status_code == 200, response.json
    assert (response.json["code"], response.json["name"], response.json["school_year"]) == (
        PROJECT, "Havo/vwo bovenbouw", "2027-2028")
    listed = api.get("/api/v1/schedule-projects", headers=admin).json["items"]
    assert [(item["name"], item["school_year"]) for item in listed] == [("Havo/vwo bovenbouw", "2027-2028")]
    assert audit_entries(api) == [("schedule_project.updated", PROJECT, {"fields": ["name", "school_year"]})]


def test_an_empty_patch_changes_nothing_and_is_not_audited(api, admin, project):
    response = api.patch(f"/api/v1/schedule-projects/{PROJECT}", headers=admin, json={})
    assert response.status_code == 200 and response.json["name"] == "Havo/vwo 2026-2027"
    assert audit_entries(api) == []


def test_a_schedule_project_without_enrollments_is_deleted_with_its_departments(api, admin, project):
    response = api.delete(f"/api/v1/schedule-projects/{PROJECT}", headers=admin)
    assert response.status_code == 204, response.json
    assert api.get("/api/v1/schedule-projects", headers=admin).json["items"] == []
    gone = api.get(f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin)
    assert gone.status_code == 404 and error_code(gone) == "schedule_project_not_found"
    again = api.delete(f"/api/v1/schedule-projects/{PROJECT}", headers=admin)
    assert again.status_code == 404 and error_code(again) == "schedule_project_not_found"
    assert audit_entries(api) == [("schedule_project.deleted", PROJECT, {})]
    # the code is free again, departments included
    assert api.post("/api/v1/schedule-projects", headers=admin, json={
        "code": PROJECT, "name": "Nieuw", "school_year": "2026-2027"}).status_code == 201
    assert api.post(f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin, json={
        "code": "h1", "name": "H1", "year_of_education": 1}).status_code == 201


def test_a_schedule_project_or_department_with_enrollments_is_in_use(api, admin, project, events):
    publish_student(events, "100001")
    assert enroll(api, admin, student="100001", department="h1").status_code == 201
    refused = api.delete(f"/api/v1/schedule-projects/{PROJECT}", headers=admin)
    assert refused.status_code == 409 and error_code(refused) == "schedule_project_in_use"
    refused = api.delete(f"/api/v1/schedule-projects/{PROJECT}/departments/h1", headers=admin)
    assert refused.status_code == 409 and error_code(refused) == "department_in_use"
    # the department without enrollments goes; the rest stays as it was
    assert api.delete(f"/api/v1/schedule-projects/{PROJECT}/departments/v4", headers=admin).status_code == 204
    departments = api.get(f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin).json["items"]
    assert [item["code"] for item in departments] == ["h1"]
    enrollments = api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"]
    assert [item["department"] for item in enrollments] == ["h1"]
    assert len(api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"]) == 1
    assert [action for action, _, _ in audit_entries(api)] == ["enrollment.created", "department.deleted"]


def test_a_department_is_changed_and_its_enrollments_get_the_path_of_the_new_year(api, admin, project, events):
    publish_student(events, "100001")
    add_path(api, admin, "hv4", [4])
    assert enroll(api, admin, student="100001", department="h1").json["learning_path"] is None
    response = api.patch(f"/api/v1/schedule-projects/{PROJECT}/departments/h1", headers=admin,
                         json={"name": "Havo 4", "year_of_education": 4})
    assert response.status_code == 200, response.json
    assert response.json == {"schedule_project": PROJECT, "code": "h1", "name": "Havo 4", "year_of_education": 4}
    enrollments = api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"]
    assert enrollments[0]["learning_path"] == "hv4"
    assert audit_entries(api)[-1] == ("department.updated", "h1",
                                      {"schedule_project": PROJECT, "fields": ["name", "year_of_education"]})


def test_an_enrollment_is_changed_by_hand(api, admin, project, events):
    publish_student(events, "100001")
    created = enroll(api, admin, student="100001", department="h1", education="havo", prognosis=60).json
    add_path(api, admin, "v4-vwo", [4], educations=["vwo"])
    url = f"/api/v1/schedule-projects/{PROJECT}/enrollments/{created['id']}"
    response = api.patch(url, headers=admin, json={"department": "v4", "education": "VWO", "prognosis": "85,5%",
                                                   "profile": None, "main_group": "4A"})
    assert response.status_code == 200, response.json
    assert set(response.json) == ENROLLMENT_FIELDS
    assert {key: response.json[key] for key in ("id", "student", "department", "education", "prognosis",
                                                "main_group", "learning_path", "created_at")} == {
        "id": created["id"], "student": "100001", "department": "v4", "education": "VWO", "prognosis": 85.5,
        "main_group": "4A", "learning_path": "v4-vwo", "created_at": created["created_at"]}
    cleared = api.patch(url, headers=admin, json={"prognosis": None, "main_group": None})
    assert (cleared.json["prognosis"], cleared.json["main_group"]) == (None, None)
    listed = api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"]
    assert listed == [cleared.json]
    assert audit_entries(api)[1:] == [
        ("enrollment.updated", str(created["id"]), {"schedule_project": PROJECT,
                                                    "fields": ["department", "prognosis", "education", "main_group"]}),
        ("enrollment.updated", str(created["id"]), {"schedule_project": PROJECT,
                                                    "fields": ["prognosis", "main_group"]})]


@pytest.mark.parametrize("body, status, code, field", [
    ({"department": "v9"}, 422, "unknown_department", "department"),
    ({"department": None}, 422, "invalid_code", "department"),
    ({"prognosis": 101}, 422, "invalid_prognosis", "prognosis"),
    ({"prognosis": "veel"}, 422, "invalid_prognosis", "prognosis"),
    ({"student": "100002"}, 422, "unknown_field", "student"),
    ({"main_group": "1\nA"}, 422, "invalid_text", "main_group"),
])
def test_an_enrollment_change_that_cannot_be_is_refused_and_nothing_changes(api, admin, project, events,
                                                                           body, status, code, field):
    publish_student(events, "100001")
    created = enroll(api, admin, student="100001", department="h1", main_group="1A").json
    response = api.patch(f"/api/v1/schedule-projects/{PROJECT}/enrollments/{created['id']}", headers=admin, json=body)
    assert response.status_code == status, response.json
    assert (error_code(response), response.json["error"]["details"]["field"]) == (code, field)
    assert api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"] == [created]
    assert [action for action, _, _ in audit_entries(api)] == ["enrollment.created"]


def test_a_learning_path_is_read_changed_and_deleted(api, admin, project, events):
    publish_student(events, "100001")
    created = add_path(api, admin, "hv1", [1], educations=["havo"])
    enrollment = enroll(api, admin, student="100001", department="h1", education="havo").json
    assert enrollment["learning_path"] == "hv1"
    response = api.get("/api/v1/learning-paths/hv1", headers=admin)
    assert response.status_code == 200 and response.json == created
    changed = api.patch("/api/v1/learning-paths/hv1", headers=admin, json={
        "name": "Havo 1 nieuw", "element_code": "E-2", "lwoo_element_code": "L-2", "years_of_education": [1, 2],
        "educations": ["havo", "mavo"], "profiles": ["NT"]})
    assert changed.status_code == 200, changed.json
    assert changed.json == {"code": "hv1", "name": "Havo 1 nieuw", "element_code": "E-2", "lwoo_element_code": "L-2",
                            "years_of_education": [1, 2], "educations": ["havo", "mavo"], "profiles": ["NT"]}
    assert api.get("/api/v1/learning-paths/hv1", headers=admin).json == changed.json
    # the enrollment has no NT profile: the path fits it no longer
    placements = api.get(f"/api/v1/schedule-projects/{PROJECT}/placements", headers=admin).json
    assert placements["without_learning_path"] == [{"student": "100001", "department": "h1",
                                                    "reason": "no_matching_learning_path"}]
    assert api.delete("/api/v1/learning-paths/hv1", headers=admin).status_code == 204
    assert api.get("/api/v1/learning-paths", headers=admin).json["items"] == []
    for method in ("get", "patch", "delete"):
        gone = getattr(api, method)("/api/v1/learning-paths/hv1", headers=admin,
                                    **({"json": {"name": "X"}} if method == "patch" else {}))
        assert gone.status_code == 404 and error_code(gone) == "learning_path_not_found", method
    assert audit_entries(api)[1:] == [
        ("learning_path.updated", "hv1", {"fields": ["name", "element_code", "lwoo_element_code",
                                                     "years_of_education", "educations", "profiles"]}),
        ("learning_path.deleted", "hv1", {})]


@pytest.mark.parametrize("method, path", [
    ("patch", "/api/v1/schedule-projects/nope"),
    ("delete", "/api/v1/schedule-projects/nope"),
    ("patch", "/api/v1/schedule-projects/nope/departments/h1"),
    ("delete", "/api/v1/schedule-projects/nope/departments/h1"),
    ("patch", "/api/v1/schedule-projects/nope/enrollments/1"),
])
def test_an_unknown_schedule_project_is_404(api, admin, project, method, path):
    response = getattr(api, method)(path, headers=admin, **({"json": {}} if method == "patch" else {}))
    assert response.status_code == 404 and error_code(response) == "schedule_project_not_found"
    assert response.json["error"]["details"] == {"code": "nope"}


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_an_unknown_department_or_enrollment_is_404(api, admin, project, method):
    kwargs = {"json": {}} if method == "patch" else {}
    response = getattr(api, method)(f"/api/v1/schedule-projects/{PROJECT}/departments/v9", headers=admin, **kwargs)
    assert response.status_code == 404 and error_code(response) == "department_not_found"
    assert response.json["error"]["details"] == {"code": "v9", "schedule_project": PROJECT}
    for enrollment_id in ("1", "99999999999999999999"):
        response = getattr(api, method)(f"/api/v1/schedule-projects/{PROJECT}/enrollments/{enrollment_id}",
                                        headers=admin, **kwargs)
        assert response.status_code == 404 and error_code(response) == "enrollment_not_found"


@pytest.mark.parametrize("path, body, field, code", [
    (f"/api/v1/schedule-projects/{PROJECT}", {"school_year": "2026"}, "school_year", "invalid_text"),
    (f"/api/v1/schedule-projects/{PROJECT}", {"name": "   "}, "name", "invalid_text"),
    (f"/api/v1/schedule-projects/{PROJECT}", {"name": None}, "name", "invalid_type"),
    (f"/api/v1/schedule-projects/{PROJECT}", {"code": "other"}, "code", "code_not_changeable"),
    (f"/api/v1/schedule-projects/{PROJECT}", {"naam": "x"}, "naam", "unknown_field"),
    (f"/api/v1/schedule-projects/{PROJECT}/departments/h1", {"year_of_education": 13}, "year_of_education",
     "invalid_year_of_education"),
    (f"/api/v1/schedule-projects/{PROJECT}/departments/h1", {"year_of_education": None}, "year_of_education",
     "invalid_year_of_education"),
    (f"/api/v1/schedule-projects/{PROJECT}/departments/h1", {"name": "x" * 201}, "name", "value_too_long"),
    (f"/api/v1/schedule-projects/{PROJECT}/departments/h1", {"code": "h9"}, "code", "code_not_changeable"),
    ("/api/v1/learning-paths/lp", {"years_of_education": []}, "years_of_education", "invalid_year_of_education"),
    ("/api/v1/learning-paths/lp", {"years_of_education": [0]}, "years_of_education", "invalid_year_of_education"),
    ("/api/v1/learning-paths/lp", {"element_code": "E 1"}, "element_code", "invalid_code"),
    ("/api/v1/learning-paths/lp", {"educations": None}, "educations", "invalid_type"),
    ("/api/v1/learning-paths/lp", {"code": "lp2"}, "code", "code_not_changeable"),
    ("/api/v1/learning-paths/lp", {"kleur": "rood"}, "kleur", "unknown_field"),
])
def test_bad_patch_bodies_are_422_naming_the_field_and_change_nothing(api, admin, project, path, body, field, code):
    add_path(api, admin, "lp", [1])
    before = api.get("/api/v1/learning-paths/lp", headers=admin).json, api.get(
        f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin).json
    response = api.patch(path, headers=admin, json=body)
    assert response.status_code == 422, response.json
    assert (error_code(response), response.json["error"]["details"]["field"]) == (code, field)
    assert (api.get("/api/v1/learning-paths/lp", headers=admin).json, api.get(
        f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin).json) == before
    assert audit_entries(api) == []


def test_a_read_right_reads_a_learning_path_but_does_not_change_or_delete_anything(api, admin, project):
    add_path(api, admin, "lp", [1])
    reader = {"Authorization": f"Bearer {issue_token(SECRET, 'reader', ['enrollments:read'])}"}
    assert api.get("/api/v1/learning-paths/lp", headers=reader).status_code == 200
    for method, path in (("patch", "/api/v1/learning-paths/lp"), ("delete", "/api/v1/learning-paths/lp"),
                         ("patch", f"/api/v1/schedule-projects/{PROJECT}"),
                         ("delete", f"/api/v1/schedule-projects/{PROJECT}")):
        response = getattr(api, method)(path, headers=reader, **({"json": {"name": "X"}} if method == "patch" else {}))
        assert response.status_code == 403 and response.json["error"]["details"]["right"] == "enrollments:write"
    assert api.get("/api/v1/learning-paths/lp", headers=admin).json["name"] == "LP"
    assert audit_entries(api) == []


def test_the_database_refuses_what_a_racing_request_would_break_even_past_the_handlers_checks(
        api, admin, project, events):
    """What a delete racing an enrollment meets: the foreign key, undone to a savepoint, not a 500."""
    publish_student(events, "100001")
    assert enroll(api, admin, student="100001", department="h1").status_code == 201
    uow = api.application.extensions["enrollments"].unit_of_work()
    with uow:
        assert uow.enrollments.delete_department(PROJECT, "h1") is False
        assert uow.enrollments.delete_project(PROJECT) is False
        enrollment = uow.enrollments.enrollments(PROJECT)[0]
        enrollment.department = "gone"  # a department deleted after the handler read the list
        assert uow.enrollments.save_enrollment(enrollment) is False
        assert uow.enrollments.delete_department(PROJECT, "v4") is True  # the transaction goes on
        uow.commit()
    departments = api.get(f"/api/v1/schedule-projects/{PROJECT}/departments", headers=admin).json["items"]
    assert [item["code"] for item in departments] == ["h1"]
    enrollments = api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"]
    assert [item["department"] for item in enrollments] == ["h1"]


# the student's name and status, from the events

def catch_up(api):
    """What the consumer process does all the time (none runs here)."""
    assert api.application.extensions["enrollments"].directory.catch_up()


def listed_students(api, admin):
    return [(item["student"], item["student_name"], item["student_status"]) for item in
            api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments", headers=admin).json["items"]]


def test_an_enrollment_carries_the_name_as_dutch_people_write_it_and_follows_the_events(api, admin, project, events):
    publish_student(events, "100001", first_name="Zoë", prefix="van 't", last_name="Hof")
    publish_student(events, "100002", first_name=" Daniël ", prefix="  ", last_name="Vermeulen")
    publish_student(events, "100003", first_name=None, last_name=None)
    for code in ("100001", "100002", "100003"):
        created = enroll(api, admin, student=code, department="h1")
        assert created.status_code == 201, created.json
    assert created.json["student_name"] is None and created.json["student_status"] == "active"
    assert listed_students(api, admin) == [("100001", "Zoë van 't Hof", "active"),
                                           ("100002", "Daniël Vermeulen", "active"),
                                           ("100003", None, "active")]
    publish(events, STUDENT_UPDATED, user("100001", first_name="Zoë", prefix="van der", last_name="Berg",
                                          updated_at="2026-11-29T10:00:00.000000Z"))
    publish(events, STUDENT_UPDATED, user("100002", archived=True, first_name="Daniël", last_name="Vermeulen",
                                          updated_at="2026-11-29T10:00:00.000000Z"))
    publish(events, STUDENT_UPDATED, user("100003", is_student=False, first_name="Sem", last_name="Bakker",
                                          updated_at="2026-11-29T10:00:00.000000Z"))
    # a late redelivery of an older state changes nothing
    publish(events, STUDENT_UPDATED, user("100002", first_name="Oud", last_name="Oud",
                                          updated_at="2026-11-28T11:00:00.000000Z"))
    catch_up(api)
    assert listed_students(api, admin) == [("100001", "Zoë van der Berg", "active"),
                                           ("100002", "Daniël Vermeulen", "archived"),
                                           ("100003", "Sem Bakker", "not_a_student")]
    enrollment_id = api.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments?student=100002",
                            headers=admin).json["items"][0]["id"]
    changed = api.patch(f"/api/v1/schedule-projects/{PROJECT}/enrollments/{enrollment_id}", headers=admin,
                        json={"main_group": "1B"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["student_name"], changed.json["student_status"]) == ("Daniël Vermeulen", "archived")


def test_an_archived_student_stays_archived_when_the_type_goes_too(api, admin, project, events):
    publish_student(events, "100001")
    assert enroll(api, admin, student="100001", department="h1").status_code == 201
    publish(events, STUDENT_UPDATED, user("100001", is_student=False, archived=True,
                                          updated_at="2026-11-29T10:00:00.000000Z"))
    catch_up(api)
    assert listed_students(api, admin) == [("100001", "Zoë Hof", "archived")]


def test_placements_leave_out_archived_and_former_students_in_json_and_csv(api, admin, project, events):
    placement_setup(api, admin, events)
    publish_student(events, "100004")
    publish_student(events, "100005")
    assert enroll(api, admin, student="100004", department="h1", main_group="h1b").status_code == 201
    assert enroll(api, admin, student="100005", department="v4").status_code == 201
    publish(events, STUDENT_UPDATED, user("100001", archived=True, updated_at="2026-11-29T10:00:00.000000Z"))
    publish(events, STUDENT_UPDATED, user("100003", is_student=False, updated_at="2026-11-29T10:00:00.000000Z"))
    publish(events, STUDENT_UPDATED, user("100005", archived=True, updated_at="2026-11-29T10:00:00.000000Z"))
    catch_up(api)
    placements = api.get(f"/api/v1/schedule-projects/{PROJECT}/placements", headers=admin)
    assert placements.status_code == 200
    assert placements.json == {
        "placements": [{"student": "100004", "department": "h1", "main_group": "h1b", "learning_path": "onderbouw",
                        "element_code": "E1"}],
        "without_learning_path": [{"student": "100002", "department": "v4", "reason": "ambiguous_learning_path"}],
        "excluded": [{"student": "100001", "department": "h1", "reason": "archived"},
                     {"student": "100003", "department": "v4", "reason": "not_a_student"},
                     {"student": "100005", "department": "v4", "reason": "archived"}],
    }
    csv_text = api.get(f"/api/v1/schedule-projects/{PROJECT}/placements?format=csv", headers=admin).data.decode()
    assert csv_text.lstrip("\ufeff").splitlines() == ["leerlingnummer;afdeling;stamklas;leerpad;elementcode",
                                                      "100004;h1;h1b;onderbouw;E1"]
    # a student who comes back (restored, a student again) is placed again
    publish(events, STUDENT_UPDATED, user("100001", updated_at="2026-11-30T10:00:00.000000Z"))
    catch_up(api)
    again = api.get(f"/api/v1/schedule-projects/{PROJECT}/placements", headers=admin).json
    assert [item["student"] for item in again["placements"]] == ["100001", "100004"]
    assert [item["student"] for item in again["excluded"]] == ["100003", "100005"]
