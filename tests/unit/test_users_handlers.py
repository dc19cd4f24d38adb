import pytest

from services.users import handlers
from services.users.commands import CreateUser, PutSchoolFunction, UpdateUser
from shared.errors import Conflict, InvalidInput, Unauthorized
from tests.unit.fakes import MANAGER, FakeUnitOfWork


@pytest.fixture
def uow():
    return FakeUnitOfWork()


def create(uow, **body):
    return handlers.create_user(uow, CreateUser.from_json(body), MANAGER)


def test_creating_a_student_gives_the_function_leerling_and_one_created_event(uow):
    user = create(uow, code="123456", first_name="Zoë", is_student=True)
    assert user["school_functions"] == ["leerling"]
    assert [event.type for event in uow.published] == ["student.created"]
    assert uow.published[0].data["code"] == "123456"


def test_a_student_code_with_a_letter_is_refused_and_nothing_is_stored(uow):
    with pytest.raises(InvalidInput) as refused:
        create(uow, code="12a45", is_student=True)
    assert refused.value.code == "student_code_not_numeric"
    assert "12a45" not in uow.users.users and uow.published == []


def test_a_duplicate_code_conflicts(uow):
    create(uow, code="001234")
    with pytest.raises(Conflict) as conflict:
        create(uow, code="001234")
    assert conflict.value.code == "user_exists"
    create(uow, code="1234")  # leading zeros make another code
    assert sorted(uow.users.users) == ["001234", "1234", "admin"]


def test_making_an_employee_a_student_by_patch_publishes_created(uow):
    create(uow, code="555", is_employee=True)
    user = handlers.update_user(uow, UpdateUser.from_json("555", {"is_student": True}), MANAGER)
    assert user["school_functions"] == ["leerling"]
    assert [event.type for event in uow.published] == ["student.created"]


def test_a_patch_cannot_make_a_non_numeric_code_a_student(uow):
    create(uow, code="t.jansen", is_employee=True)
    with pytest.raises(InvalidInput) as refused:
        handlers.update_user(uow, UpdateUser.from_json("t.jansen", {"is_student": True}), MANAGER)
    assert refused.value.code == "student_code_not_numeric"
    assert not uow.users.users["t.jansen"].is_student


def test_archiving_a_student_publishes_updated_and_an_unchanged_patch_publishes_nothing(uow):
    create(uow, code="777", is_student=True)
    handlers.update_user(uow, UpdateUser.from_json("777", {"first_name": None}), MANAGER)
    handlers.update_user(uow, UpdateUser.from_json("777", {"archived": True}), MANAGER)
    assert [event.type for event in uow.published] == ["student.created", "student.updated"]
    assert uow.published[-1].data["archived"] is True


def test_employees_cause_no_student_events(uow):
    create(uow, code="e1", is_employee=True)
    handlers.update_user(uow, UpdateUser.from_json("e1", {"last_name": "Jansen"}), MANAGER)
    assert uow.published == []


def test_login_answers_the_same_for_an_unknown_code_and_a_wrong_password(uow):
    create(uow, code="100", password="correct horse")
    with pytest.raises(Unauthorized) as unknown:
        handlers.authenticate(uow, "nobody", "correct horse")
    with pytest.raises(Unauthorized) as wrong:
        handlers.authenticate(uow, "100", "wrong password")
    assert (unknown.value.code, unknown.value.message) == (wrong.value.code, wrong.value.message)
    assert handlers.authenticate(uow, "100", "correct horse") == []


def test_effective_rights_are_the_union_of_the_functions_rights(uow):
    handlers.create_school_function(uow, PutSchoolFunction.from_json(
        {"code": "mentor", "name": "Mentor", "rights": ["users:read", "enrollments:read"]}), MANAGER)
    handlers.create_school_function(uow, PutSchoolFunction.from_json(
        {"code": "roostermaker", "name": "Roostermaker", "rights": ["enrollments:read", "enrollments:write"]}), MANAGER)
    create(uow, code="m1", school_functions=["mentor", "roostermaker"])
    assert handlers.effective_rights(uow, "m1") == ["enrollments:read", "enrollments:write", "users:read"]


def test_an_unknown_right_is_refused(uow):
    with pytest.raises(InvalidInput) as refused:
        handlers.create_school_function(uow, PutSchoolFunction.from_json(
            {"code": "x", "name": "X", "rights": ["users:delete"]}), MANAGER)
    assert refused.value.code == "unknown_right"


def test_the_application_manager_keeps_every_right(uow):
    with pytest.raises(Conflict):
        handlers.replace_school_function(uow, PutSchoolFunction.from_json(
            {"name": "Beheer", "rights": []}, code="applicatiebeheerder"), MANAGER)


def test_the_first_application_manager_is_created_once_with_a_generated_password(uow):
    password = handlers.ensure_application_manager(uow, "beheer", None)
    assert password and len(password) >= 16
    assert "users:write" in handlers.authenticate(uow, "beheer", password)
    assert handlers.ensure_application_manager(uow, "beheer", None) is None


def test_the_api_takes_the_login_method_only_as_written_in_the_contract(uow):
    with pytest.raises(InvalidInput) as refused:
        create(uow, code="t.sso", login_method="SSO")
    assert (refused.value.code, refused.value.details["field"]) == ("invalid_login_method", "login_method")
    assert create(uow, code="t.sso", login_method="sso")["login_method"] == "sso"
