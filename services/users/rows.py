"""What one imported row does to the users: the rule shared by the preview and the application.

`decide_row` is pure: given the row, the user with that code (if any) and the import's options it
returns the action and the user as it would be afterwards. The preview runs it without writing;
applying runs it again inside the transaction that writes, so the preview is the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.users import domain
from services.users.domain import User
from shared.errors import InvalidInput
from shared.messages import RowIn, RowOut

@dataclass
class RowDecision:
    line: int
    action: str
    messages: list[str] = field(default_factory=list)
    before: User | None = None
    after: User | None = None
    password: str | None = None

    def to_row_out(self, applied: bool) -> RowOut:
        return RowOut(self.line, self.action, list(self.messages), applied and self.action in ("create", "update"))


def cell_values(row: RowIn) -> dict[str, str]:
    """Mapped cells without surrounding spaces; an empty cell says nothing (leaves a field as is)."""
    return {name: value.strip() for name, value in row.values.items() if value and value.strip()}


def decide_row(row: RowIn, existing: User | None, mode: str, as_student: bool, functions: set[str]) -> RowDecision:
    if row.errors:
        return RowDecision(row.line, "error", list(row.errors))
    values = cell_values(row)
    code = values.get("code")
    if code is None:
        return RowDecision(row.line, "error", ["The code is empty."])
    try:
        domain.check_code(code)
        if existing is None:
            return _decide_new(row.line, code, values, mode, as_student, functions)
        return _decide_existing(row.line, existing, values, mode, as_student, functions)
    except InvalidInput as invalid:
        return RowDecision(row.line, "error", [invalid.message])


def _decide_new(line, code, values, mode, as_student, functions) -> RowDecision:
    if mode == "update":
        return RowDecision(line, "skip", [f"No user has code {code}; mode update only changes existing users."])
    user = User(code=code, is_student=as_student)
    password = _apply_cells(user, values)
    domain.apply_types_and_functions(user, None, functions)
    return RowDecision(line, "create", after=user, password=password)


def _decide_existing(line, existing, values, mode, as_student, functions) -> RowDecision:
    if mode == "import":
        return RowDecision(line, "skip", [f"A user with code {existing.code} exists; mode import only adds new users."])
    user = domain.copy_user(existing)
    password = _apply_cells(user, values)
    if as_student:
        user.is_student = True
    domain.apply_types_and_functions(user, None, functions)
    if password is not None or user.public_fields() != existing.public_fields():
        return RowDecision(line, "update", before=existing, after=user, password=password)
    return RowDecision(line, "unchanged", before=existing, after=user)


def _apply_cells(user: User, values: dict[str, str]) -> str | None:
    for name in domain.NAME_FIELDS:
        if name in values:
            setattr(user, name, domain.check_name(name, values[name]))
    if "email" in values:
        user.email = domain.check_email(values["email"])
    if "login_method" in values:
        user.login_method = domain.check_login_method(values["login_method"].lower())
    if "password" in values:
        return domain.check_password(values["password"])
    return None
