"""What one imported row does to the users: the rule shared by the preview and the application.

`decide_row` is pure: given the row, the user with that code (if any) and the import's options it
returns the action and the user as it would be afterwards. The preview runs it without writing;
applying runs it again inside the transaction that writes, so the preview is the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.users import domain
from services.users.domain import User
from shared import policy
from shared.csvfile import trim_cell
from shared.errors import InvalidInput
from shared.messages import RowIn, RowOut
from shared.policy import Actor

# What a users file can set (types come from the import's options, school functions never from a file).
FILE_FIELDS = frozenset({"code", *domain.NAME_FIELDS, "email", "login_method", "password"})


@dataclass
class RowContext:
    """What every row of an import is decided with."""

    mode: str
    as_student: bool
    function_rights: dict[str, tuple[str, ...]]  # every school function's rights, by code
    actor: Actor  # who the import acts for: the uploader in the preview, the starter when applied
    # The active application managers' codes when a row may touch one; a row that makes one inactive
    # takes it out, so that the rows after it cannot remove the last one.
    active_managers: set[str] = field(default_factory=set)


@dataclass
class RowDecision:
    line: int
    action: str
    messages: list[str] = field(default_factory=list)
    before: User | None = None
    after: User | None = None
    password: str | None = None
    reason: str | None = None
    params: dict | None = None

    @property
    def user(self) -> User:
        """The user as a create or an update makes it."""
        assert self.after is not None, f"a {self.action} row changes no user"
        return self.after

    def to_row_out(self, applied: bool) -> RowOut:
        return RowOut(self.line, self.action, list(self.messages), applied and self.action in ("create", "update"),
                      self.reason, self.params)


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
        return RowDecision(row.line, "error", list(row.errors))
    values = cell_values(row)
    code = values.get("code")
    if code is None:
        return RowDecision(row.line, "error", ["The code is empty."])
    try:
        domain.check_code(code)
        if existing is None:
            decision = _decide_new(row.line, code, values, context)
        else:
            decision = _decide_existing(row.line, existing, values, context)
    except InvalidInput as invalid:
        return RowDecision(row.line, "error", [invalid.message])
    return _authorized(decision, context) if decision.action in ("create", "update") else decision


def _decide_new(line, code, values, context: RowContext) -> RowDecision:
    if context.mode == "update":
        return RowDecision(line, "skip", [f"No user has code {code}; mode update only changes existing users."])
    user = User(code=code, is_student=context.as_student)
    password = domain.apply_values(user, _file_values(values), context.function_rights.keys())
    return RowDecision(line, "create", after=user, password=password)


def _decide_existing(line, existing, values, context: RowContext) -> RowDecision:
    if context.mode == "import":
        return RowDecision(line, "skip", [f"A user with code {existing.code} exists; mode import only adds new users."])
    user = domain.copy_user(existing)
    if context.as_student:
        user.is_student = True
    password = domain.apply_values(user, _file_values(values), context.function_rights.keys())
    if password is not None or user.public_fields() != existing.public_fields():
        return RowDecision(line, "update", before=existing, after=user, password=password)
    return RowDecision(line, "unchanged", before=existing, after=user)


def _authorized(decision: RowDecision, context: RowContext) -> RowDecision:
    """The decision, or an error when the import's actor may not make this change (the same policy
    as the API), or when it would take away the last active application manager."""
    before, after = decision.before, decision.after
    assert after is not None  # a create or an update always carries the user as it would be
    missing = policy.missing_for_user_change(context.actor, before, after, decision.password is not None,
                                             context.function_rights)
    if missing:
        return RowDecision(decision.line, "error", [
            f"Changing {after.code} this way needs the right(s) {', '.join(sorted(missing))}, which "
            f"{context.actor.code or 'the import'} does not hold."],
            reason="insufficient_rights", params={"missing": sorted(missing)})
    if before is not None and policy.deactivates_manager(before, after):
        if policy.is_last_manager(before.code, context.active_managers):
            refusal = policy.last_application_manager(before.code)
            return RowDecision(decision.line, "error", [refusal.message], reason=refusal.code,
                               params={"code": before.code})
        context.active_managers.discard(before.code)
    return decision


def _file_values(cells: dict[str, str]) -> dict[str, str]:
    """The user values a file's cells give (only those a file can fill); a file may write the login
    method in any case ("SSO")."""
    values = cells if cells.keys() <= FILE_FIELDS else {name: cells[name] for name in cells if name in FILE_FIELDS}
    if "login_method" in values:
        values = {**values, "login_method": values["login_method"].lower()}
    return values
