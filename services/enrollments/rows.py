"""What one imported enrollment row does: the rule shared by the preview and the application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.enrollments import domain
from services.enrollments.domain import Department, Enrollment, Student
from shared import catalogue
from shared.codes import has_control_character
from shared.csvfile import trim_cell
from shared.errors import InvalidInput
from shared.messages import Message, RowIn, RowOut
from shared.policy import Actor


@dataclass
class EnrollmentDecision:
    """A row's action with its notes (shown in the reader's language); `reason` is the code of why it
    is an error or skipped, `params` what that is about."""

    line: int
    action: str
    messages: list[Message] = field(default_factory=list)
    enrollment: Enrollment | None = None
    reason: str | None = None
    params: dict[str, Any] | None = None

    def already_enrolled(self, project: str) -> None:
        """A create row whose student another import enrolled meanwhile: skipped, as in the preview."""
        note = catalogue.note("enrollment_exists", student=self.new_enrollment.student, schedule_project=project)
        self.action, self.messages, self.reason, self.params = "skip", [note], note["code"], note["params"]

    @classmethod
    def refused(cls, line: int, action: str, note: dict[str, Any]) -> EnrollmentDecision:
        return cls(line, action, [note], reason=note["code"], params=note["params"])

    @property
    def new_enrollment(self) -> Enrollment:
        """The enrollment a create row makes."""
        assert self.enrollment is not None, f"a {self.action} row makes no enrollment"
        return self.enrollment

    def to_row_out(self, applied: bool) -> RowOut:
        return RowOut(self.line, self.action, list(self.messages), applied and self.action == "create",
                      self.reason, self.params)


def refused_row(line: int, actor: Actor, missing: frozenset[str]) -> RowOut:
    return RowOut(line, "error", [catalogue.note("insufficient_rights", missing=sorted(missing), actor=actor.code)],
                  reason="insufficient_rights", params={"missing": sorted(missing)})


def decide_enrollment_row(row: RowIn, project: str, student: Student | None, departments: dict[str, Department],
                          enrolled: bool) -> EnrollmentDecision:
    """The row's action; the importer's warnings on it come first among its messages."""
    decision = _decide(row, project, student, departments, enrolled)
    if row.warnings:
        decision.messages[:0] = row.warnings
    return decision


def student_code(row: RowIn) -> str:
    """The student cell as the row is decided with it: trimmed of spaces and invisible characters."""
    return trim_cell(row.values.get("student", ""))


def _decide(row: RowIn, project: str, student: Student | None, departments: dict[str, Department],
            enrolled: bool) -> EnrollmentDecision:
    if row.errors:
        # What the importer found (a student on an earlier line, ...): its first note says why.
        first = next((error for error in row.errors if isinstance(error, dict)), None)
        return EnrollmentDecision(row.line, "error", list(row.errors), reason=first["code"] if first else None,
                                  params=first.get("params") if first else None)
    values = {name: trimmed for name, value in row.values.items() if value and (trimmed := trim_cell(value))}
    if unreadable := sorted(name for name, value in values.items() if has_control_character(value)):
        # A NUL or a line break in a cell is a damaged row, not a value to store (and PostgreSQL
        # refuses a NUL in a text, so keeping it would fail the whole chunk again and again).
        return EnrollmentDecision.refused(row.line, "error", catalogue.note("unreadable_cells", fields=unreadable))
    code = values.get("student")
    if code is None:
        return EnrollmentDecision.refused(row.line, "error", catalogue.note("missing_student"))
    try:
        domain.check_student_known(code, student)
        department = values.get("department")
        if department is None:
            return EnrollmentDecision.refused(row.line, "error", catalogue.note("missing_department"))
        if department not in departments:
            raise domain.unknown_department(project, department)
        prognosis = domain.parse_prognosis(values.get("prognosis"))
    except InvalidInput as invalid:
        params = {name: value for name, value in invalid.details.items() if name != "field"}
        return EnrollmentDecision.refused(row.line, "error", catalogue.note(invalid.code, **params))
    if enrolled:
        return EnrollmentDecision.refused(row.line, "skip", catalogue.note(
            "enrollment_exists", student=code, schedule_project=project))
    enrollment = Enrollment(project, code, department, prognosis, values.get("profile"), values.get("education"),
                            values.get("main_group"))
    return EnrollmentDecision(row.line, "create", enrollment=enrollment)
