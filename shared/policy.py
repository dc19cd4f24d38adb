"""Who may change what: the one authorization policy of the portal, applied on every path that
changes a user or a school function (the users API, both import kinds in preview and apply, and
the command line, which goes through the API).

Pure functions over plain data, so every service and the tests apply exactly the same rules:
- every change to a user needs `users:write`;
- giving or taking a school function needs every right of that function;
- changing another user's password, login method, school functions, user types or archived flag
  needs every right that user holds (an employee with `users:write` looks after students and
  parents, not after an application manager);
- a school function can only be created or changed by someone holding every right it holds,
  before and after the change (reducing a function takes rights from the users who hold it);
- the last active application manager cannot be archived, lose the function or lose every way
  to log in, so that someone can always administer the portal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Protocol

from shared.errors import Conflict, Forbidden

MANAGER_FUNCTION = "applicatiebeheerder"
ACTIVE_LOGIN_METHODS = ("password", "sso")
# What a user's own rights protect: who may change these may take the account over or lock it out.
GUARDED_FIELDS = ("school_functions", "is_student", "is_employee", "is_family_member", "login_method", "archived")
# The rights an import of each kind needs, besides `imports:write` for the upload itself.
_NO_FUNCTIONS: frozenset[str] = frozenset()
_NOTHING: frozenset[str] = frozenset()
IMPORT_RIGHTS = {"users": ("imports:write", "users:write"), "enrollments": ("imports:write", "enrollments:write")}


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a user's code and the rights they hold for it, and (for the audit trail)
    the address the request came from; messages carry no address (`to_dict` leaves it out)."""

    code: str
    rights: frozenset[str]
    client: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        return {"code": self.code, "rights": sorted(self.rights)}

    @classmethod
    def from_dict(cls, body: Mapping | None) -> Actor:
        """An actor from a message; a message without one acts for nobody, with no rights."""
        if not body:
            return cls("", frozenset())
        return cls(str(body.get("code", "")), frozenset(body.get("rights") or ()))


class Account(Protocol):
    """What the policy reads of a user, before or after a change (the users service's `User` is one)."""

    @property
    def code(self) -> str: ...
    @property
    def school_functions(self) -> AbstractSet[str]: ...
    @property
    def login_method(self) -> str: ...
    @property
    def archived(self) -> bool: ...
    @property
    def is_student(self) -> bool: ...
    @property
    def is_employee(self) -> bool: ...
    @property
    def is_family_member(self) -> bool: ...


def is_active_manager(account: Account) -> bool:
    return (MANAGER_FUNCTION in account.school_functions and not account.archived
            and account.login_method in ACTIVE_LOGIN_METHODS)


def rights_of(functions: Iterable[str], function_rights: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """The effective rights of a holder of these school functions."""
    rights: set[str] = set()
    for function in functions:
        rights.update(function_rights.get(function, ()))
    return frozenset(rights)


def missing_for_user_change(actor: Actor, before: Account | None, after: Account, password_changed: bool,
                            function_rights: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """The rights `actor` lacks to turn `before` (None: a new user) into `after`; empty when allowed."""
    # Decided for every imported row, twice (preview and apply): kept to a few set operations.
    held = actor.rights
    missing = set() if "users:write" in held else {"users:write"}
    old_functions = before.school_functions if before is not None else _NO_FUNCTIONS
    for function in old_functions ^ after.school_functions:
        if rights := function_rights.get(function):
            missing |= frozenset(rights) - held
    if before is not None and before.code != actor.code and (password_changed or _guarded_change(before, after)):
        missing |= rights_of(before.school_functions, function_rights) - held
    return frozenset(missing) if missing else _NOTHING


def missing_for_function_change(actor: Actor, old_rights: Iterable[str], new_rights: Iterable[str]) -> frozenset[str]:
    """The rights `actor` lacks to give a school function `new_rights` where it held `old_rights`."""
    return frozenset(({"school_functions:write"} | set(old_rights) | set(new_rights)) - actor.rights)


def missing_for_import(actor: Actor, kind: str) -> frozenset[str]:
    """The rights `actor` lacks to upload, change or start an import of this kind."""
    return frozenset(set(IMPORT_RIGHTS[kind]) - actor.rights)


def deactivates_manager(before: Account | None, after: Account) -> bool:
    """Whether the change makes an active application manager no longer one."""
    return before is not None and is_active_manager(before) and not is_active_manager(after)


def is_last_manager(code: str, active_managers: AbstractSet[str]) -> bool:
    """Whether no active application manager but `code` is left (`active_managers`: all their codes)."""
    return not (active_managers - {code})


def missing_for_enrollment_change(actor: Actor) -> frozenset[str]:
    return frozenset({"enrollments:write"} - actor.rights)


def insufficient_rights(missing: Iterable[str]) -> Forbidden:
    """The one refusal for a caller who lacks rights, naming every right that is missing."""
    missing = sorted(set(missing))
    return Forbidden("insufficient_rights", f"This needs the right(s) {', '.join(missing)}.",
                     {"missing": missing, "right": missing[0]})


def last_application_manager(code: str) -> Conflict:
    return Conflict("last_application_manager",
                    f"{code} is the last active application manager: it cannot be archived, lose the function "
                    f"{MANAGER_FUNCTION} or lose its login method, or nobody could administer the portal.",
                    {"code": code})


def require(missing: frozenset[str]) -> None:
    if missing:
        raise insufficient_rights(missing)


def _guarded_change(before: Account, after: Account) -> bool:
    return any(getattr(before, name) != getattr(after, name) for name in GUARDED_FIELDS)
