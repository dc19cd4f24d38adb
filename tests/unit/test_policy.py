"""The authorization policy on its own: (actor's rights, target, change) → allowed or the missing rights."""

from dataclasses import dataclass, replace

import pytest

from shared import policy
from shared.policy import Actor
from shared.rights import RIGHTS

FUNCTION_RIGHTS = {
    "leerling": (),
    "applicatiebeheerder": RIGHTS,
    "mentor": ("users:read", "users:write"),
    "roostermaker": ("enrollments:read", "enrollments:write"),
}
USER_ADMIN = frozenset({"users:read", "users:write"})


@dataclass(frozen=True)
class Account:
    code: str
    school_functions: frozenset = frozenset()
    login_method: str = "password"
    archived: bool = False
    is_student: bool = False
    is_employee: bool = False
    is_family_member: bool = False


STUDENT = Account("100234", frozenset({"leerling"}), is_student=True)
MANAGER = Account("admin", frozenset({"applicatiebeheerder"}), is_employee=True)
MENTOR = Account("mentor1", frozenset({"mentor"}), is_employee=True)


def missing(rights, before, after, password_changed=False, actor_code="mentor1"):
    return policy.missing_for_user_change(Actor(actor_code, frozenset(rights)), before, after, password_changed,
                                          FUNCTION_RIGHTS)


@pytest.mark.parametrize("rights, before, after, password_changed, expected", [
    # An employee with users:write looks after students and parents ...
    (USER_ADMIN, None, STUDENT, True, set()),
    (USER_ADMIN, STUDENT, replace(STUDENT, archived=True), False, set()),
    (USER_ADMIN, STUDENT, STUDENT, True, set()),
    (USER_ADMIN, Account("p1", is_family_member=True), Account("p1", is_family_member=True, login_method="none"),
     False, set()),
    # ... but cannot give themselves or anyone a function holding rights they lack,
    (USER_ADMIN, MENTOR, replace(MENTOR, school_functions=frozenset({"mentor", "applicatiebeheerder"})), False,
     set(RIGHTS) - USER_ADMIN),
    (USER_ADMIN, None, replace(MANAGER, code="new"), True, set(RIGHTS) - USER_ADMIN),
    (USER_ADMIN, STUDENT, replace(STUDENT, school_functions=frozenset({"leerling", "roostermaker"})), False,
     {"enrollments:read", "enrollments:write"}),
    # nor change an application manager's password, functions, login method or archived flag.
    (USER_ADMIN, MANAGER, MANAGER, True, set(RIGHTS) - USER_ADMIN),
    (USER_ADMIN, MANAGER, replace(MANAGER, archived=True), False, set(RIGHTS) - USER_ADMIN),
    (USER_ADMIN, MANAGER, replace(MANAGER, login_method="none"), False, set(RIGHTS) - USER_ADMIN),
    (USER_ADMIN, MANAGER, replace(MANAGER, school_functions=frozenset()), False, set(RIGHTS) - USER_ADMIN),
    (USER_ADMIN, MANAGER, replace(MANAGER, is_family_member=True), False, set(RIGHTS) - USER_ADMIN),
    # Names and e-mail are no credentials: a manager's may be corrected.
    (USER_ADMIN, MANAGER, MANAGER, False, set()),
    # Every change to a user needs users:write, whatever else the actor holds.
    ({"users:read", "imports:write"}, None, STUDENT, False, {"users:write"}),
    (set(), None, Account("x"), False, {"users:write"}),
    # An application manager may do all of it.
    (RIGHTS, MANAGER, replace(MANAGER, code="admin", archived=True), True, set()),
])
def test_a_user_change_needs_the_rights_it_touches(rights, before, after, password_changed, expected):
    assert missing(rights, before, after, password_changed) == expected


def test_a_user_may_change_their_own_password_but_not_give_themselves_a_function():
    assert missing(USER_ADMIN, MENTOR, MENTOR, password_changed=True, actor_code="mentor1") == set()
    promoted = replace(MENTOR, school_functions=frozenset({"mentor", "roostermaker"}))
    assert missing(USER_ADMIN, MENTOR, promoted, actor_code="mentor1") == {"enrollments:read", "enrollments:write"}


def test_taking_a_function_needs_its_rights_too():
    teacher = Account("t1", frozenset({"roostermaker"}), is_employee=True)
    assert missing(USER_ADMIN | {"enrollments:read"}, teacher, replace(teacher, school_functions=frozenset())) == \
        {"enrollments:write"}


@pytest.mark.parametrize("rights, old, new, expected", [
    ({"school_functions:write", "users:read"}, (), ("users:read",), set()),
    ({"school_functions:write", "users:read"}, (), ("users:read", "audit:read"), {"audit:read"}),
    ({"school_functions:write"}, ("enrollments:write",), (), {"enrollments:write"}),  # reducing takes rights away
    ({"users:read"}, (), ("users:read",), {"school_functions:write"}),
    (RIGHTS, RIGHTS, RIGHTS, set()),
])
def test_a_school_function_holds_only_rights_its_editor_holds(rights, old, new, expected):
    assert policy.missing_for_function_change(Actor("x", frozenset(rights)), old, new) == expected


@pytest.mark.parametrize("before, after, others, last", [
    (MANAGER, replace(MANAGER, archived=True), set(), True),
    (MANAGER, replace(MANAGER, login_method="none"), set(), True),
    (MANAGER, replace(MANAGER, school_functions=frozenset({"mentor"})), set(), True),
    (MANAGER, replace(MANAGER, login_method="sso"), set(), False),  # sso still logs in
    (MANAGER, replace(MANAGER, archived=True), {"beheer2"}, False),  # a second manager makes it allowed
    (replace(MANAGER, archived=True), replace(MANAGER, archived=True, login_method="none"), set(), False),
    (MENTOR, replace(MENTOR, archived=True), set(), False),
])
def test_the_last_active_application_manager_stays_one(before, after, others, last):
    active = others | ({before.code} if policy.is_active_manager(before) else set())
    assert (policy.deactivates_manager(before, after) and policy.is_last_manager(before.code, active)) is last


def test_an_import_needs_the_write_right_of_its_kind():
    uploader = Actor("u", frozenset({"imports:write", "users:write"}))
    assert policy.missing_for_import(uploader, "users") == set()
    assert policy.missing_for_import(uploader, "enrollments") == {"enrollments:write"}
    assert policy.missing_for_import(Actor("v", frozenset({"users:write"})), "users") == {"imports:write"}


def test_a_message_without_an_actor_acts_for_nobody():
    nobody = Actor.from_dict(None)
    assert nobody.rights == frozenset()
    assert Actor.from_dict(Actor("a", frozenset({"users:write"})).to_dict()) == Actor("a", frozenset({"users:write"}))


def test_the_refusal_names_every_missing_right():
    refusal = policy.insufficient_rights({"users:write", "audit:read"})
    assert refusal.status == 403 and refusal.code == "insufficient_rights"
    assert refusal.details["missing"] == ["audit:read", "users:write"]
