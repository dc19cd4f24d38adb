"""Users and school functions as plain Python: the rules, nothing about storage or HTTP."""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.codes import RULE, has_control_character, is_code
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.envelope import STUDENT_CREATED, STUDENT_UPDATED
from shared.policy import MANAGER_FUNCTION
from shared.rights import RIGHTS

STUDENT_FUNCTION = "leerling"
BUILTIN_FUNCTIONS = {
    STUDENT_FUNCTION: ("Leerling", ()),
    MANAGER_FUNCTION: ("Applicatiebeheerder", RIGHTS),
}
LOGIN_METHODS = ("password", "sso", "none")
MAX_NAME_LENGTH = 200
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
NAME_FIELDS = ("first_name", "prefix", "last_name")
# A user's types (the `type` filter of the users list), each a flag on the user.
TYPE_FLAGS = {"student": "is_student", "employee": "is_employee", "family_member": "is_family_member"}
USER_TYPES = tuple(TYPE_FLAGS)
TYPE_FIELDS = tuple(TYPE_FLAGS.values())
MAX_EMAIL_LENGTH = 254
# The WHATWG HTML definition of a valid e-mail address: what <input type="email"> accepts in every
# browser, so a frontend and this service agree on what is valid.
EMAIL_ADDRESS = (
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
EMAIL = re.compile(EMAIL_ADDRESS)


@dataclass
class User:
    code: str
    first_name: str | None = None
    prefix: str | None = None
    last_name: str | None = None
    email: str | None = None
    is_student: bool = False
    is_employee: bool = False
    is_family_member: bool = False
    school_functions: set[str] = field(default_factory=set)
    login_method: str = "password"
    password_hash: str | None = None
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def public_fields(self) -> dict:
        """What a change compares: everything the user representation shows."""
        return {
            "first_name": self.first_name,
            "prefix": self.prefix,
            "last_name": self.last_name,
            "email": self.email,
            "is_student": self.is_student,
            "is_employee": self.is_employee,
            "is_family_member": self.is_family_member,
            "school_functions": sorted(self.school_functions),
            "login_method": self.login_method,
            "has_password": self.password_hash is not None,
            "archived": self.archived,
        }


@dataclass(frozen=True)
class SchoolFunction:
    code: str
    name: str
    rights: tuple[str, ...]


def check_code(code: object) -> str:
    if not is_code(code):
        raise InvalidInput("invalid_code", f"A code has {RULE}.", field="code")
    return code


def check_student_code(code: str) -> None:
    """A student's code is the student number: ASCII digits only, kept exactly as written."""
    if not re.fullmatch(r"[0-9]+", code):
        raise InvalidInput(
            "student_code_not_numeric",
            f"A student's code may contain digits only; {code!r} has other characters.",
            field="code",
        )


def check_email(email: str | None) -> str | None:
    if email is None or email == "":
        return None
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL.fullmatch(email):
        raise InvalidInput("invalid_email", f"{email!r} is not a valid email address.", field="email")
    return email


def check_name(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if has_control_character(value):
        raise InvalidInput("invalid_text", f"{name} may not contain control characters.", field=name)
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(
            "value_too_long", f"{name} may be at most {MAX_NAME_LENGTH} characters.", field=name
        )
    return value


def check_login_method(method: str) -> str:
    if method not in LOGIN_METHODS:
        raise InvalidInput(
            "invalid_login_method",
            f"login_method must be one of {', '.join(LOGIN_METHODS)}.",
            field="login_method",
        )
    return method


def check_password(password: str) -> str:
    if "\x00" in password:
        raise InvalidInput("invalid_password", "A password may not contain a NUL character.", field="password")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "invalid_password",
            f"A password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            field="password",
        )
    return password


def check_rights(rights: list[str]) -> tuple[str, ...]:
    unknown = sorted(set(rights) - set(RIGHTS))
    if unknown:
        raise InvalidInput(
            "unknown_right", f"Unknown rights: {', '.join(unknown)}.", field="rights", rights=unknown
        )
    return tuple(sorted(set(rights)))


def check_function_code(code: object) -> str:
    if not is_code(code):
        raise InvalidInput("invalid_code", f"A school function code has {RULE}.", field="code")
    return code


def apply_values(user: User, values: Mapping[str, Any], known_functions: AbstractSet[str]) -> str | None:
    """Set on `user` what `values` holds, each value checked: names, e-mail, types, login method and
    school functions (the student type always carries `leerling`); a field not in `values` stays as
    it is, a null login method too. The one rule of the API and the import alike.

    Returns the new password, checked but not yet hashed, or None when `values` sets none."""
    for name in NAME_FIELDS:
        if name in values:
            setattr(user, name, check_name(name, values[name]))
    if "email" in values:
        user.email = check_email(values["email"])
    for name in TYPE_FIELDS:
        if name in values:
            setattr(user, name, values[name])
    if values.get("login_method") is not None:
        user.login_method = check_login_method(values["login_method"])
    password = values.get("password")
    if password is not None:
        check_password(password)
    apply_types_and_functions(user, values.get("school_functions"), known_functions)
    return password


def apply_types_and_functions(user: User, functions: set[str] | None, known: AbstractSet[str]) -> None:
    """Set the user's functions; the student type always carries the function `leerling`."""
    if functions is not None:
        unknown = sorted(functions - known)
        if unknown:
            raise InvalidInput(
                "unknown_school_function",
                f"Unknown school functions: {', '.join(unknown)}.",
                field="school_functions",
                school_functions=unknown,
            )
        user.school_functions = set(functions)
    if user.is_student:
        check_student_code(user.code)
        user.school_functions.add(STUDENT_FUNCTION)
    else:
        user.school_functions.discard(STUDENT_FUNCTION)


def student_event_type(before: User | None, after: User) -> str | None:
    """Which student event a change causes: created when a user becomes a student, updated when
    a student (before or after) changed; none for users who are not and were not students."""
    if before is None or not before.is_student:
        return STUDENT_CREATED if after.is_student else None
    return STUDENT_UPDATED if before.public_fields() != after.public_fields() else None


def copy_user(user: User) -> User:
    """A copy to change (its own set of functions). Not dataclasses.replace: that runs __init__ with
    every field looked up again, and an import copies every existing user of a chunk, twice."""
    copy = object.__new__(User)
    copy.__dict__.update(user.__dict__)
    copy.school_functions = set(user.school_functions)
    return copy


def user_exists(code: str) -> Conflict:
    return Conflict("user_exists", f"A user with code {code!r} already exists.", {"code": code})


def user_not_found(code: str) -> NotFound:
    return NotFound("user_not_found", f"No user has code {code!r}.", {"code": code})


REFRESH_IDLE_SECONDS = 12 * 3600  # a session whose refresh token is not used for this long has ended


@dataclass(frozen=True)
class IssuedSession:
    """A session just started or refreshed: the access token is made from this, with the service's key."""

    code: str
    rights: tuple[str, ...]
    session_id: str
    refresh_token: str


@dataclass(frozen=True)
class StoredSession:
    """A session as its refresh token finds it."""

    session_id: str
    user_code: str
    ended: bool
    expires_at: datetime
    token_used: bool


def ends_sessions(before: User, after: User) -> bool:
    """Whether a change must end the user's sessions: archived, a new password (or none), another
    login method, or a school function taken away (its rights may no longer be theirs)."""
    return (after.archived and not before.archived) or after.password_hash != before.password_hash \
        or after.login_method != before.login_method or bool(before.school_functions - after.school_functions)


def reduces_rights(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    return bool(set(before) - set(after))
