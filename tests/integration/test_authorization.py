"""Nobody grants what they do not hold: every escalation an employee could try through the users
API, refused; what they may do, allowed (real SQLite and PostgreSQL, real Redis)."""

import pytest

from shared.auth import issue_token
from shared.rights import RIGHTS
from tests.integration.conftest import token_for

USER_ADMIN_RIGHTS = ["users:read", "users:write"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def employee(client, admin):
    """An employee whose school function holds only users:read and users:write."""
    assert client.post("/api/v1/school-functions", headers=admin, json={
        "code": "leerlingadministratie", "name": "Leerlingadministratie", "rights": USER_ADMIN_RIGHTS,
    }).status_code == 201
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "e.jansen", "is_employee": True, "password": "employee-pw-1",
        "school_functions": ["leerlingadministratie"],
    }).status_code == 201
    return bearer(token_for(client, "e.jansen", "employee-pw-1"))


def refused(response, missing=None):
    assert response.status_code == 403, response.json
    assert response.json["error"]["code"] == "insufficient_rights"
    if missing is not None:
        assert response.json["error"]["details"]["missing"] == sorted(missing)


def test_an_employee_cannot_give_itself_the_application_manager_function(client, admin, employee):
    response = client.patch("/api/v1/users/e.jansen", headers=employee,
                            json={"school_functions": ["leerlingadministratie", "applicatiebeheerder"]})
    refused(response, set(RIGHTS) - set(USER_ADMIN_RIGHTS))
    assert client.get("/api/v1/users/e.jansen", headers=admin).json["school_functions"] == ["leerlingadministratie"]
    assert client.get("/api/v1/users/e.jansen/rights", headers=admin).json["rights"] == USER_ADMIN_RIGHTS


def test_an_employee_cannot_create_a_user_with_a_function_beyond_its_rights(client, admin, employee):
    refused(client.post("/api/v1/users", headers=employee, json={
        "code": "handlanger", "password": "handlanger-pw", "school_functions": ["applicatiebeheerder"]}))
    assert client.get("/api/v1/users/handlanger", headers=admin).status_code == 404


@pytest.mark.parametrize("change", [
    {"password": "taken-over-1"}, {"school_functions": []}, {"archived": True}, {"login_method": "none"},
    {"is_family_member": True}, {"password": None},
])
def test_an_employee_cannot_take_over_or_lock_out_an_application_manager(client, admin, employee, change):
    before = client.get("/api/v1/users/admin", headers=admin).json
    refused(client.patch("/api/v1/users/admin", headers=employee, json=change))
    assert client.get("/api/v1/users/admin", headers=admin).json == before
    token_for(client, "admin", "admin-password-1")  # the manager still logs in


def test_an_employee_with_users_write_still_looks_after_students_and_parents(client, admin, employee):
    assert client.post("/api/v1/users", headers=employee, json={
        "code": "100234", "is_student": True, "password": "leerling-pw-1"}).status_code == 201
    assert client.post("/api/v1/users", headers=employee, json={
        "code": "ouder.hof", "is_family_member": True}).status_code == 201
    response = client.patch("/api/v1/users/100234", headers=employee, json={"password": "nieuw-wachtwoord"})
    assert response.status_code == 200
    assert client.patch("/api/v1/users/ouder.hof", headers=employee, json={"login_method": "none"}).status_code == 200
    assert client.patch("/api/v1/users/100234", headers=employee, json={"archived": True}).json["archived"] is True
    # Names and e-mail are no credentials: the employee may correct a manager's.
    assert client.patch("/api/v1/users/admin", headers=employee, json={"first_name": "Ada"}).status_code == 200


def test_rights_taken_away_count_at_once_even_with_an_older_token(client, admin, employee, users_app):
    # A token outside any stored session is not revoked: the users service still checks the rights
    # the user holds now, so it cannot use what its token lists either.
    sessionless = bearer(issue_token(users_app.config["SECRET_KEY"], "e.jansen", USER_ADMIN_RIGHTS))
    assert client.patch("/api/v1/users/e.jansen", headers=admin, json={"school_functions": []}).status_code == 200
    revoked(client.post("/api/v1/users", headers=employee, json={"code": "200001", "is_student": True}))
    refused(client.post("/api/v1/users", headers=sessionless, json={"code": "200001", "is_student": True}))
    assert client.patch("/api/v1/users/e.jansen", headers=admin, json={"school_functions": ["leerlingadministratie"],
                                                                    "archived": True}).status_code == 200
    revoked(client.patch("/api/v1/users/e.jansen", headers=employee, json={"archived": False}))
    refused(client.patch("/api/v1/users/e.jansen", headers=sessionless, json={"archived": False}))
    assert client.get("/api/v1/users/e.jansen", headers=admin).json["archived"] is True


def revoked(response):
    assert response.status_code == 401 and response.json["error"]["code"] == "token_revoked", response.json


def test_a_school_function_can_hold_only_rights_its_editor_holds(client, admin):
    assert client.post("/api/v1/school-functions", headers=admin, json={
        "code": "functiebeheer", "name": "Functiebeheer", "rights": ["school_functions:write", "users:read"],
    }).status_code == 201
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "f.beheer", "password": "functie-pw-1", "school_functions": ["functiebeheer"]}).status_code == 201
    editor = bearer(token_for(client, "f.beheer", "functie-pw-1"))
    assert client.post("/api/v1/school-functions", headers=editor, json={
        "code": "lezer", "name": "Lezer", "rights": ["users:read"]}).status_code == 201
    refused(client.post("/api/v1/school-functions", headers=editor, json={
        "code": "schrijver", "name": "Schrijver", "rights": ["users:read", "users:write"]}), {"users:write"})
    refused(client.put("/api/v1/school-functions/functiebeheer", headers=editor, json={
        "name": "Functiebeheer", "rights": ["school_functions:write", "users:read", "imports:write"]}),
        {"imports:write"})
    assert client.get("/api/v1/users/f.beheer/rights", headers=admin).json["rights"] == \
        ["school_functions:write", "users:read"]


@pytest.mark.parametrize("change", [{"archived": True}, {"login_method": "none"}, {"school_functions": []}])
def test_the_last_application_manager_cannot_be_archived_stripped_or_locked_out(client, admin, change):
    response = client.patch("/api/v1/users/admin", headers=admin, json=change)
    assert response.status_code == 409 and response.json["error"]["code"] == "last_application_manager"
    token_for(client, "admin", "admin-password-1")


def test_a_second_application_manager_makes_removing_the_first_allowed(client, admin):
    assert client.post("/api/v1/users", headers=admin, json={
        "code": "beheer2", "password": "beheer2-pw-1", "school_functions": ["applicatiebeheerder"],
    }).status_code == 201
    assert client.patch("/api/v1/users/admin", headers=admin, json={"archived": True}).status_code == 200
    second = bearer(token_for(client, "beheer2", "beheer2-pw-1"))
    response = client.patch("/api/v1/users/beheer2", headers=second, json={"login_method": "none"})
    assert response.status_code == 409 and response.json["error"]["code"] == "last_application_manager"


@pytest.mark.parametrize("code", ["svc/backup", "a b", "x" * 33, "..", ".", "zoë", "a\nb", "a\x00b", "tab\t", "a%2Fb",
                                  "a?b", "a#b"])
def test_a_code_outside_the_character_rule_is_refused(client, admin, code):
    response = client.post("/api/v1/users", headers=admin, json={"code": code})
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_code"


def test_every_code_the_rule_allows_can_be_read_changed_and_archived(client, admin):
    for code in ("j.de-vries_2@school", "A.B", "x" * 32, "-1", "@"):
        assert client.post("/api/v1/users", headers=admin, json={"code": code}).status_code == 201, code
        assert client.get(f"/api/v1/users/{code}", headers=admin).json["code"] == code
        assert client.patch(f"/api/v1/users/{code}", headers=admin, json={"archived": True}).json["archived"] is True


def test_names_with_control_characters_are_refused(client, admin):
    response = client.post("/api/v1/users", headers=admin, json={"code": "c1", "first_name": "Zo\x00ë"})
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "first_name"
    response = client.post("/api/v1/users", headers=admin, json={"code": "c1", "email": "a@b.nl\n"})
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_email"
