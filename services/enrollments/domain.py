"""Schedule projects, departments, enrollments and learning paths as plain Python: the rules."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from shared.errors import Conflict, InvalidInput, NotFound

NO_MATCH, AMBIGUOUS = "no_matching_learning_path", "ambiguous_learning_path"
ACTIVE, NOT_A_STUDENT, ARCHIVED = "active", "not_a_student", "archived"


@dataclass(frozen=True)
class Student:
    code: str
    is_student: bool
    archived: bool
    first_name: str | None = None
    prefix: str | None = None
    last_name: str | None = None

    @property
    def name(self) -> str | None:
        """The name as Dutch people write it: first name, prefix, last name ("Zoë van 't Hof");
        none when the events named no part of it."""
        return " ".join(part.strip() for part in (self.first_name, self.prefix, self.last_name)
                        if part and part.strip()) or None

    @property
    def status(self) -> str:
        """`archived` (also when the type went with it), `not_a_student`, or `active`."""
        if self.archived:
            return ARCHIVED
        return ACTIVE if self.is_student else NOT_A_STUDENT


@dataclass(frozen=True)
class ScheduleProject:
    code: str
    name: str
    school_year: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Department:
    schedule_project: str
    code: str
    name: str
    year_of_education: int


@dataclass
class Enrollment:
    schedule_project: str
    student: str
    department: str
    prognosis: float | None = None
    profile: str | None = None
    education: str | None = None
    main_group: str | None = None
    id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class LearningPath:
    code: str
    name: str
    element_code: str
    lwoo_element_code: str | None
    years_of_education: tuple[int, ...]
    educations: tuple[str, ...] = field(default_factory=tuple)
    profiles: tuple[str, ...] = field(default_factory=tuple)

    def fits(self, enrollment: Enrollment, department: Department) -> bool:
        """The department's year is one of the path's years, and the enrollment has one of its
        educations and one of its profiles (an empty list asks nothing)."""
        return (department.year_of_education in self.years_of_education
                and (not self.educations or _folded(enrollment.education) in map(_folded, self.educations))
                and (not self.profiles or _folded(enrollment.profile) in map(_folded, self.profiles)))


def learning_path_for(enrollment: Enrollment, department: Department,
                      paths: list[LearningPath]) -> tuple[LearningPath | None, str | None]:
    """The one path that fits, or None with the reason (no path fits, or several do)."""
    fitting = [path for path in paths if path.fits(enrollment, department)]
    if len(fitting) == 1:
        return fitting[0], None
    return None, NO_MATCH if not fitting else AMBIGUOUS


def parse_prognosis(value: object, field_name: str = "prognosis") -> float | None:
    """`75`, `75%`, `75,0` and `85.5` are numbers from 0 to 100; empty is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise invalid_prognosis(value, field_name)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float is beyond 100 too
            raise invalid_prognosis(value, field_name) from None
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise invalid_prognosis(value, field_name) from None
    else:
        raise invalid_prognosis(value, field_name)
    if not 0 <= number <= 100 or number != number:
        raise invalid_prognosis(value, field_name)
    return number


def check_student_known(code: str, student: Student | None) -> None:
    if student is None:
        raise InvalidInput("unknown_student", f"No student with code {code} is known.", field="student",
                           student=code)
    if not student.is_student or student.archived:
        why = "archived" if student.archived else "no longer a student"
        raise InvalidInput("not_a_student", f"User {code} is {why}.", field="student", student=code)


def unknown_department(project: str, code: str) -> InvalidInput:
    return InvalidInput("unknown_department", f"Schedule project {project} has no department {code!r}.",
                        field="department", department=code, schedule_project=project)


def invalid_prognosis(value: object, field_name: str = "prognosis") -> InvalidInput:
    return InvalidInput("invalid_prognosis", f"Prognosis {value!r} is not a number from 0 to 100.", field=field_name)


def project_not_found(code: str) -> NotFound:
    return NotFound("schedule_project_not_found", f"No schedule project has code {code!r}.", {"code": code})


def enrollment_exists(student: str, project: str) -> Conflict:
    return Conflict("enrollment_exists",
                    f"Student {student} already has an enrollment in {project}; delete it first.",
                    {"student": student, "schedule_project": project})


def schedule_project_in_use(code: str) -> Conflict:
    return Conflict("schedule_project_in_use",
                    f"Schedule project {code} still has enrollments; delete them first.", {"code": code})


def department_in_use(project: str, code: str) -> Conflict:
    return Conflict("department_in_use",
                    f"Department {code} of {project} still has enrollments; delete or move them first.",
                    {"code": code, "schedule_project": project})


def department_not_found(project: str, code: str) -> NotFound:
    return NotFound("department_not_found", f"Schedule project {project} has no department {code!r}.",
                    {"code": code, "schedule_project": project})


def learning_path_not_found(code: str) -> NotFound:
    return NotFound("learning_path_not_found", f"No learning path has code {code!r}.", {"code": code})


def enrollment_not_found(project: str, enrollment_id: int) -> NotFound:
    return NotFound("enrollment_not_found", f"Schedule project {project} has no enrollment {enrollment_id}.",
                    {"id": enrollment_id})


def changed_fields(before: Any, after: Any) -> list[str]:
    """The names of the fields whose values differ between two versions of one record (a dataclass),
    in the record's own order: what an audit entry of a change names."""
    return [item.name for item in fields(before) if getattr(before, item.name) != getattr(after, item.name)]


def prognosis_json(value: float | None) -> float | int | None:
    return int(value) if value is not None and value == int(value) else value


def _folded(text: str | None) -> str:
    return (text or "").strip().casefold()
