"""Changing a school function without repeating what stays: PATCH (and GET) of one school function,
with the rules of the PUT (real SQLite and PostgreSQL, real Redis)."""

import pytest

from tests.integration.conftest import token_for
from tests.integration.test_sessions import until_refused


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def mentor(client, admin):
    assert client.post("/api/v1/school-functions", headers=admin, json={
        "code": "mentor", "name": "Mentor", "rights": ["users:read"]}).status_code == 201


def test_patching_the_rights_keeps_the_name_and_patching_the_name_keeps_the_rights(client, admin, mentor):
    response = client.patch("/api/v1/school-functions/mentor", headers=admin,
                            json={"rights": ["users:read", "enrollments:read"]})
    assert response.status_code == 200
    assert response.json == {"code": "mentor", "name": "Mentor", "rights": ["enrollments:read", "users:read"]}
    response = client.patch("/api/v1/school-functions/mentor", headers=admin, json={"name": "Mentor onderbouw"})
    assert response.json == {"code": "mentor", "name": "Mentor onderbouw",
                             "rights": ["enrollments:read", "users:read"]}
    assert client.get("/api/v1/school-functions/mentor", headers=admin).json == response.json


def test_a_patch_gives_the_student_function_a_right_its_holders_then_have(client, admin):
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "4100", "is_student": True, "password": "leerling-pw-1"}).status_code == 201
    response = client.patch("/api/v1/school-functions/leerling", headers=admin, json={"rights": ["enrollments:read"]})
    assert response.status_code == 200 and response.json["name"] == "Leerling"
    assert client.get("/api/v1/users/4100/rights", headers=admin).json == {"rights": ["enrollments:read"]}


def test_a_patch_is_audited_with_what_changed(client, admin, mentor):
    client.patch("/api/v1/school-functions/mentor", headers=admin, json={"rights": ["audit:read"]})
    entry = client.get("/api/v1/audit?action=school_function.updated&target=mentor", headers=admin).json["items"][0]
    assert entry["actor"] == "admin"
    assert entry["details"] == {"name_changed": False, "rights_added": ["audit:read"], "rights_removed": ["users:read"]}


@pytest.mark.parametrize("body, code, field", [
    ({"rights": ["users:read", "root"]}, "unknown_right", "rights"),
    ({"rights": "users:read"}, "invalid_type", "rights"),
    ({"name": ""}, "invalid_name", "name"),
    ({"name": "   "}, "invalid_name", "name"),
    ({"name": None}, "invalid_name", "name"),
    ({"name": "x" * 201}, "invalid_name", "name"),
    ({"code": "other"}, "unknown_field", "code"),
])
def test_invalid_patches_are_422_and_change_nothing(client, admin, mentor, body, code, field):
    response = client.patch("/api/v1/school-functions/mentor", headers=admin, json=body)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == code and response.json["error"]["details"]["field"] == field
    assert client.get("/api/v1/school-functions/mentor", headers=admin).json == {
        "code": "mentor", "name": "Mentor", "rights": ["users:read"]}


def test_an_unknown_school_function_is_404(client, admin):
    for method in (client.get, client.patch):
        response = method("/api/v1/school-functions/geenfunctie", headers=admin, json={"name": "X"})
        assert response.status_code == 404 and response.json["error"]["code"] == "school_function_not_found"


def test_a_patch_may_only_give_rights_the_editor_holds(client, admin):
    assert client.post("/api/v1/school-functions", headers=admin, json={
        "code": "functiebeheer", "name": "Functiebeheer", "rights": ["school_functions:write", "users:read"],
    }).status_code == 201
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "f.beheer", "password": "functie-pw-1", "school_functions": ["functiebeheer"]}).status_code == 201
    editor = bearer(token_for(client, "f.beheer", "functie-pw-1"))
    response = client.patch("/api/v1/school-functions/leerling", headers=editor,
                            json={"rights": ["users:read", "imports:write", "audit:read"]})
    assert response.status_code == 403 and response.json["error"]["code"] == "insufficient_rights"
    assert response.json["error"]["details"]["missing"] == ["audit:read", "imports:write"]
    assert client.patch("/api/v1/school-functions/leerling", headers=editor,
                        json={"rights": ["users:read"]}).status_code == 200
    # Taking a right away needs it too: the manager's rights are not the editor's to remove.
    response = client.patch("/api/v1/school-functions/applicatiebeheerder", headers=editor, json={"rights": []})
    assert response.status_code == 403


def test_a_patch_without_school_functions_write_is_403(client, admin):
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "4200", "is_student": True, "password": "leerling-pw-2"}).status_code == 201
    student = bearer(token_for(client, "4200", "leerling-pw-2"))
    response = client.patch("/api/v1/school-functions/leerling", headers=student, json={"rights": []})
    assert response.status_code == 403 and response.json["error"]["code"] == "insufficient_rights"


def test_the_application_manager_keeps_every_right_but_may_be_renamed(client, admin):
    response = client.patch("/api/v1/school-functions/applicatiebeheerder", headers=admin,
                            json={"rights": ["users:read"]})
    assert response.status_code == 409 and response.json["error"]["code"] == "builtin_function_rights_fixed"
    response = client.patch("/api/v1/school-functions/applicatiebeheerder", headers=admin,
                            json={"name": "Functioneel beheer"})
    assert response.status_code == 200 and len(response.json["rights"]) == 8


def test_fewer_rights_by_patch_end_the_holders_sessions(client, admin, mentor):
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "m.dekker", "password": "mentor-pw-1", "school_functions": ["mentor"]}).status_code == 201
    token = token_for(client, "m.dekker", "mentor-pw-1")
    client.patch("/api/v1/school-functions/mentor", headers=admin, json={"rights": []})
    until_refused(client, "/api/v1/users/m.dekker", token)


def test_the_openapi_document_lists_get_put_and_patch_of_one_school_function(client):
    operations = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/school-functions/{code}"]
    assert {"get", "put", "patch"} <= set(operations)
    document = client.get("/api/v1/openapi.json").json
    schema = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {"name", "rights"} and not schema.get("required")
