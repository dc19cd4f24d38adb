"""What one imported enrollment row does: the rule shared by the preview and the application."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.enrollments import domain
from services.enrollments.domain import Department, Enrollment, Student
from shared.codes import has_control_character
from shared.csvfile import trim_cell
from shared.errors import InvalidInput
from shared.messages import RowIn, RowOut
from shared.policy import Actor

EXISTING = "The student already has an enrollment in this schedule project; it is not updated (delete it first)."


@dataclass
class EnrollmentDecision:
    line: int
    action: str
    messages: list[str] = field(default_factory=list)
    enrollment: Enrollment | None = None

    @property
    def new_enrollment(self) -> Enrollment:
        """The enrollment a create row makes."""
        assert self.enrollment is not None, f"a {self.action} row makes no enrollment"
        return self.enrollment

    def to_row_out(self, applied: bool) -> RowOut:
        return RowOut(self.line, self.action, list(self.messages), applied and self.action == "create")


def refused_row(line: int, actor: Actor, missing: frozenset[str]) -> RowOut:
    return RowOut(line, "error", [f"Enrolling needs the right(s) {', '.join(sorted(missing))}, which "
                                  f"{actor.code or 'the import'} does not hold."],
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
        return EnrollmentDecision(row.line, "error", list(row.errors))
    values = {name: trimmed for name, value in row.values.items() if value and (trimmed := trim_cell(value))}
    if unreadable := sorted(name for name, value in values.items() if has_control_character(value)):
        # A NUL or a line break in a cell is a damaged row, not a value to store (and PostgreSQL
        # refuses a NUL in a text, so keeping it would fail the whole chunk again and again).
        return EnrollmentDecision(row.line, "error", [f"{', '.join(unreadable)} holds a control character."])
    code = values.get("student")
    if code is None:
        return EnrollmentDecision(row.line, "error", ["The student code is empty."])
    try:
        domain.check_student_known(code, student)
        department = values.get("department")
        if department is None:
            return EnrollmentDecision(row.line, "error", ["The department is empty."])
        if department not in departments:
            raise domain.unknown_department(project, department)
        prognosis = domain.parse_prognosis(values.get("prognosis"))
    except InvalidInput as invalid:
        return EnrollmentDecision(row.line, "error", [invalid.message])
    if enrolled:
        return EnrollmentDecision(row.line, "skip", [EXISTING])
    enrollment = Enrollment(project, code, department, prognosis, values.get("profile"), values.get("education"),
                            values.get("main_group"))
    return EnrollmentDecision(row.line, "create", enrollment=enrollment)
