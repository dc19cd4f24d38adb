"""Enrollments and schedule projects as the contract shows them."""

from __future__ import annotations

from typing import Any

from services.enrollments import domain
from services.enrollments.domain import Department, Enrollment, LearningPath, ScheduleProject, Student
from shared.events.envelope import utc_timestamp


def enrollment_representation(enrollment: Enrollment, department: Department,
                              paths: list[LearningPath], student: Student | None) -> dict[str, Any]:
    """`student` is what the directory knows of the enrolled student (None: nothing, which only a
    directory rebuilt from an emptied stream can give; the enrollment then counts as active)."""
    path, _ = domain.learning_path_for(enrollment, department, paths)
    return {
        "id": enrollment.id,
        "schedule_project": enrollment.schedule_project,
        "student": enrollment.student,
        "student_name": student.name if student else None,
        "student_status": student.status if student else domain.ACTIVE,
        "department": enrollment.department,
        "prognosis": domain.prognosis_json(enrollment.prognosis),
        "profile": enrollment.profile,
        "education": enrollment.education,
        "main_group": enrollment.main_group,
        "learning_path": path.code if path else None,
        "created_at": utc_timestamp(enrollment.created_at),
    }


def project_representation(project: ScheduleProject) -> dict[str, Any]:
    return {"code": project.code, "name": project.name, "school_year": project.school_year,
            "created_at": utc_timestamp(project.created_at)}
