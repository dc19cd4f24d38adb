"""Sessions in the users service's handlers, on fakes: log in, refresh, reuse, log out, and which
changes end a user's sessions."""

import pytest

from services.users import handlers
from services.users.commands import CreateUser, PutSchoolFunction, UpdateUser
from shared.errors import Unauthorized
from tests.unit.fakes import MANAGER, FakeUnitOfWork

PASSWORD = "welkom-123"


@pytest.fixture
def uow():
    uow = FakeUnitOfWork()
    handlers.create_user(uow, CreateUser.from_json({"code": "teacher", "is_employee": True, "password": PASSWORD,
                                                    "school_functions": ["applicatiebeheerder"]}), MANAGER)
    return uow


def log_in(uow):
    return handlers.log_in(uow, "teacher", PASSWORD)


def test_logging_in_starts_a_session_with_a_refresh_token_stored_only_as_a_hash(uow):
    issued = log_in(uow)
    assert issued.code == "teacher" and "users:write" in issued.rights
    assert issued.session_id in uow.sessions.sessions
    assert issued.refresh_token not in str(uow.sessions.tokens)


def test_a_wrong_password_starts_no_session(uow):
    with pytest.raises(Unauthorized) as refused:
        handlers.log_in(uow, "teacher", "wrong-password")
    assert refused.value.code == "invalid_credentials" and uow.sessions.sessions == {}


def test_a_refresh_rotates_the_token_within_the_same_session(uow):
    first = log_in(uow)
    second = handlers.refresh_session(uow, first.refresh_token)
    third = handlers.refresh_session(uow, second.refresh_token)
    assert first.session_id == second.session_id == third.session_id
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3


def test_a_refresh_token_used_twice_ends_the_whole_session(uow):
    first = log_in(uow)
    second = handlers.refresh_session(uow, first.refresh_token)
    with pytest.raises(Unauthorized) as refused:
        handlers.refresh_session(uow, first.refresh_token)
    assert refused.value.code == "refresh_token_reused"
    assert uow.sessions.ended == [first.session_id]
    with pytest.raises(Unauthorized) as refused:
        handlers.refresh_session(uow, second.refresh_token)  # the thief's or the owner's: both are out
    assert refused.value.code == "invalid_refresh_token"


def test_an_unknown_refresh_token_is_refused(uow):
    with pytest.raises(Unauthorized) as refused:
        handlers.refresh_session(uow, "not-a-token")
    assert refused.value.code == "invalid_refresh_token"


def test_logging_out_ends_the_session_by_refresh_token_or_by_id(uow):
    first, second = log_in(uow), log_in(uow)
    handlers.log_out(uow, refresh_token=first.refresh_token)
    handlers.log_out(uow, session_id=second.session_id)
    assert uow.sessions.ended == [first.session_id, second.session_id]
    with pytest.raises(Unauthorized):
        handlers.refresh_session(uow, first.refresh_token)


@pytest.mark.parametrize("change", [
    {"archived": True},
    {"password": "another-password"},
    {"login_method": "sso"},
    {"school_functions": []},
])
def test_a_change_that_takes_access_away_ends_the_users_sessions(uow, change):
    issued = log_in(uow)
    handlers.update_user(uow, UpdateUser.from_json("teacher", change), MANAGER)
    assert uow.sessions.ended == [issued.session_id]


def test_a_change_of_names_leaves_the_sessions_alone(uow):
    log_in(uow)
    handlers.update_user(uow, UpdateUser.from_json("teacher", {"first_name": "Anna", "is_family_member": True}),
                         MANAGER)
    assert uow.sessions.ended == []


def test_reducing_a_school_function_ends_the_sessions_of_its_holders_only(uow):
    handlers.create_school_function(uow, PutSchoolFunction.from_json(
        {"code": "mentor", "name": "Mentor", "rights": ["users:read", "users:write"]}), MANAGER)
    handlers.create_user(uow, CreateUser.from_json({"code": "mentor1", "is_employee": True, "password": PASSWORD,
                                                    "school_functions": ["mentor"]}), MANAGER)
    mentor = handlers.log_in(uow, "mentor1", PASSWORD)
    teacher = log_in(uow)
    handlers.replace_school_function(uow, PutSchoolFunction.from_json(
        {"name": "Mentor", "rights": ["users:read", "users:write", "imports:read"]}, code="mentor"), MANAGER)
    assert uow.sessions.ended == []  # more rights take nothing away
    handlers.replace_school_function(uow, PutSchoolFunction.from_json(
        {"name": "Mentor", "rights": ["users:read"]}, code="mentor"), MANAGER)
    assert uow.sessions.ended == [mentor.session_id] and teacher.session_id not in uow.sessions.ended


def test_a_refresh_of_an_archived_users_session_is_refused(uow):
    issued = log_in(uow)
    uow.users.users["teacher"].archived = True  # as if archived without ending the session
    with pytest.raises(Unauthorized) as refused:
        handlers.refresh_session(uow, issued.refresh_token)
    assert refused.value.code == "invalid_refresh_token" and uow.sessions.ended == [issued.session_id]
