"""The shapes of the enrollments service's answers, for its OpenAPI document (see `representation.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from services.enrollments.domain import ACTIVE, AMBIGUOUS, ARCHIVED, NO_MATCH, NOT_A_STUDENT
from shared.api_types import Answer, list_of


class ScheduleProject(Answer):
    """A schedule project"""

    code: str
    name: str
    school_year: str
    created_at: datetime | None


class Department(Answer):
    """A department of a schedule project, with its year of education"""

    schedule_project: str
    code: str
    name: str
    year_of_education: int


class Enrollment(Answer):
    """A student's enrollment in a department, with the learning path that fits it (null: none fits)"""

    id: int
    schedule_project: str
    student: str
    # the student's name and status as the student events last told them (name null: no event named it)
    student_name: str | None
    student_status: Literal[ACTIVE, NOT_A_STUDENT, ARCHIVED]  # type: ignore[valid-type]
    department: str
    prognosis: float | None
    profile: str | None
    education: str | None
    main_group: str | None
    learning_path: str | None
    created_at: datetime | None


class LearningPath(Answer):
    """A learning path"""

    code: str
    name: str
    element_code: str
    lwoo_element_code: str | None
    years_of_education: list[int]
    educations: list[str]
    profiles: list[str]


class Placement(Answer):
    student: str
    department: str
    main_group: str | None
    learning_path: str
    element_code: str


class Unplaced(Answer):
    student: str
    department: str
    reason: Literal[NO_MATCH, AMBIGUOUS]  # type: ignore[valid-type]


class Excluded(Answer):
    student: str
    department: str
    reason: Literal[ARCHIVED, NOT_A_STUDENT]  # type: ignore[valid-type]


class Placements(Answer):
    """Each enrollment's learning path and element code for Somtoday, and the enrollments without one"""

    placements: list[Placement]
    without_learning_path: list[Unplaced]
    # the enrollments of students who are archived or no longer students, left out
    excluded: list[Excluded]


ScheduleProjectList = list_of(ScheduleProject)
DepartmentList = list_of(Department)
EnrollmentList = list_of(Enrollment)
LearningPathList = list_of(LearningPath)
