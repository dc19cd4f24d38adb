"""What one imported row does to the users: the rule shared by the preview and the application.

`decide_row` is pure: given the row, the user with that code (if any) and the import's options it
returns the action and the user as it would be afterwards. The preview runs it without writing;
applying runs it again inside the transaction that writes, so the preview is the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.users import domain
from services.users.domain import User
from shared import catalogue, policy
from shared.csvfile import trim_cell
from shared.errors import InvalidInput
from shared.messages import RowIn, RowOut
from shared.policy import Actor
from shared.sealing import MASK

LEAVER_LINE = 0  # a leaver is no line of the file (the importer shows them after the file's rows)
# What a users file can set (types come from the import's options, school functions never from a file).
FILE_FIELDS = frozenset({"code", *domain.NAME_FIELDS, "email", "login_method", "password"})
# A row's reason for a refusal the API answers with an error code of its own: the contract's row reason.
_REASONS = {"student_code_not_numeric": "code_not_numeric"}
# Reasons that are API error codes too: their row notes are keyed "row_<reason>" (a row's text names the
# row's value; the API error's text is the API's), so the catalogue holds each code once.
_API_CODES = frozenset({"invalid_code", "invalid_email", "invalid_text", "value_too_long", "invalid_login_method",
                        "invalid_password", "insufficient_rights", "last_application_manager"})


@dataclass
class RowContext:
    """What every row of an import is decided with."""

    mode: str
    as_student: bool
    function_rights: dict[str, tuple[str, ...]]  # every school function's rights, by code
    actor: Actor  # who the import acts for: the uploader in the preview, the starter when applied
    login_method: str = "password"  # of the users the import creates (a file's login_method column wins)
    # The active application managers' codes when a row may touch one; a row that makes one inactive
    # takes it out, so that the rows after it cannot remove the last one.
    active_managers: set[str] = field(default_factory=set)


@dataclass
class RowDecision:
    line: int
    action: str
    messages: list[str | dict[str, Any]] = field(default_factory=list)  # notes, or the importer's texts
    before: User | None = None
    after: User | None = None
    password: str | None = None
    reason: str | None = None
    params: dict | None = None
    values: dict | None = None  # a row the service made (a leaver): what it shows

    @property
    def user(self) -> User:
        """The user as a create or an update makes it."""
        assert self.after is not None, f"a {self.action} row changes no user"
        return self.after

    @property
    def user_before(self) -> User:
        """The user as an update or an archive finds it."""
        assert self.before is not None, f"a {self.action} row changes no existing user"
        return self.before

    def to_row_out(self, applied: bool) -> RowOut:
        changes = changes_of(self.before, self.after, self.password is not None) if self.action == "update" else None
        return RowOut(self.line, self.action, list(self.messages),
                      applied and self.action in ("create", "update", "archive"), self.reason, self.params,
                      changes, self.values)


def changes_of(before: User | None, after: User | None, password_changed: bool) -> dict[str, list]:
    """An update's changes, {field: [old, new]}: the representation's fields (types and functions
    included); a new password as MASK on both sides, never a value or a hash."""
    if before is None or after is None:
        return {}
    old, new = before.public_fields(), after.public_fields()
    changes: dict[str, list] = {name: [old[name], new[name]] for name in old
                                if old[name] != new[name] and name != "has_password"}
    if password_changed:
        changes["password"] = [MASK, MASK]
    return changes


def refusal(line: int, action: str, reason: str, **params) -> RowDecision:
    """A row that is not done, with its reason and its note (the message, in the reader's language)."""
    note_code = f"row_{reason}" if reason in _API_CODES else reason
    return RowDecision(line, action, [catalogue.note(note_code, **params)], reason=reason, params=params)


def cell_values(row: RowIn) -> dict[str, str]:
    """Mapped cells without surrounding spaces or invisible characters (a zero-width space would make
    another code); an empty cell says nothing (leaves a field as is)."""
    return {name: trimmed for name, value in row.values.items() if value and (trimmed := trim_cell(value))}


def decide_row(row: RowIn, existing: User | None, context: RowContext) -> RowDecision:
    """The row's action; the importer's warnings on it come first among its messages."""
    decision = _decide(row, existing, context)
    if row.warnings:
        decision.messages[:0] = row.warnings
    return decision


def _decide(row: RowIn, existing: User | None, context: RowContext) -> RowDecision:
    if row.errors:
        first = row.errors[0]
        reason = first.get("code") if isinstance(first, dict) else None  # the importer's notes name theirs
        return RowDecision(row.line, "error", list(row.errors), reason=reason,
                           params=first.get("params") if isinstance(first, dict) else None)
    values = cell_values(row)
    code = values.get("code")
    if code is None:
        return refusal(row.line, "error", "missing_code")
    try:
        domain.check_code(code)
        if existing is None:
            decision = _decide_new(row.line, code, values, context)
        else:
            decision = _decide_existing(row.line, existing, values, context)
    except InvalidInput as invalid:
        return _invalid(row.line, code, values, invalid)
    return _authorized(decision, context) if decision.action in ("create", "update") else decision


def _invalid(line: int, code: str, values: dict[str, str], invalid: InvalidInput) -> RowDecision:
    """A value the users service refuses, as the row's reason: the field and (but a password) its value."""
    reason = _REASONS.get(invalid.code, invalid.code)
    field = invalid.details.get("field")
    params: dict = {"code": code}
    if field and field != "password":
        params.update(field=field, value=values.get(field, code if field == "code" else ""))
    if invalid.code == "value_too_long":
        params["max"] = domain.MAX_NAME_LENGTH
    if invalid.code == "invalid_password":
        params.update(field="password", min=domain.MIN_PASSWORD_LENGTH, max=domain.MAX_PASSWORD_LENGTH)
    return refusal(line, "error", reason, **params)


def _decide_new(line, code, values, context: RowContext) -> RowDecision:
    if context.mode == "update":
        return refusal(line, "skip", "unknown_user", code=code)
    user = User(code=code, is_student=context.as_student, login_method=context.login_method)
    password = domain.apply_values(user, _file_values(values), context.function_rights.keys())
    return RowDecision(line, "create", after=user, password=password)


def _decide_existing(line, existing, values, context: RowContext) -> RowDecision:
    if context.mode == "import":
        return refusal(line, "skip", "exists", code=existing.code)
    user = domain.copy_user(existing)
    if context.as_student:
        user.is_student = True
    password = domain.apply_values(user, _file_values(values), context.function_rights.keys())
    if password is not None or user.public_fields() != existing.public_fields():
        return RowDecision(line, "update", before=existing, after=user, password=password)
    return RowDecision(line, "unchanged", before=existing, after=user)


def decide_leaver(code: str, user: User | None, context: RowContext) -> RowDecision:
    """A student missing from a synchronize with archive_missing: archived, when the import's actor may
    (the API's rule for archiving) and it is not the last application manager. Applied, a leaver the
    portal changed since the preview (archived, no longer a student, gone) is left as it is."""
    if user is None:
        decision = refusal(LEAVER_LINE, "skip", "unknown_user", code=code)
    elif user.archived or not user.is_student:
        decision = refusal(LEAVER_LINE, "unchanged", "not_an_active_student", code=code)
    else:
        after = domain.copy_user(user)
        after.archived = True
        decision = _authorized(RowDecision(LEAVER_LINE, "archive", [catalogue.note("leaver", code=code)], before=user,
                                           after=after, reason="leaver", params={"code": code}), context)
    decision.values = leaver_values(user) if user is not None else {"code": code}
    return decision


def leaver_values(user: User) -> dict[str, str | None]:
    return {"code": user.code, "first_name": user.first_name, "prefix": user.prefix, "last_name": user.last_name}


def _authorized(decision: RowDecision, context: RowContext) -> RowDecision:
    """The decision, or an error when the import's actor may not make this change (the same policy
    as the API), or when it would take away the last active application manager."""
    before, after = decision.before, decision.after
    assert after is not None  # a create or an update always carries the user as it would be
    missing = policy.missing_for_user_change(context.actor, before, after, decision.password is not None,
                                             context.function_rights)
    if missing:
        return refusal(decision.line, "error", "insufficient_rights", code=after.code, missing=sorted(missing),
                       actor=context.actor.code)
    if before is not None and policy.deactivates_manager(before, after):
        if policy.is_last_manager(before.code, context.active_managers):
            return refusal(decision.line, "error", "last_application_manager", code=before.code)
        context.active_managers.discard(before.code)
    return decision


def _file_values(cells: dict[str, str]) -> dict[str, str]:
    """The user values a file's cells give (only those a file can fill); a file may write the login
    method in any case ("SSO")."""
    values = cells if cells.keys() <= FILE_FIELDS else {name: cells[name] for name in cells if name in FILE_FIELDS}
    if "login_method" in values:
        values = {**values, "login_method": values["login_method"].lower()}
    return values
