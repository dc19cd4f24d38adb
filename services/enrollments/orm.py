"""Tables of the enrollments database; the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKeyConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.applied_chunks import AppliedChunkTable
from shared.outbox import OutboxTable


class Base(DeclarativeBase):
    pass


class StudentRow(Base):
    """What this service knows of a student, from student.created / student.updated events only."""

    __tablename__ = "students"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    is_student: Mapped[bool] = mapped_column(Boolean)
    archived: Mapped[bool] = mapped_column(Boolean)
    first_name: Mapped[str | None] = mapped_column(Text)
    prefix: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[str] = mapped_column(String(40))  # the user's updated_at, to ignore stale events


class ScheduleProjectRow(Base):
    __tablename__ = "schedule_projects"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    school_year: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DepartmentRow(Base):
    __tablename__ = "departments"

    schedule_project: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    year_of_education: Mapped[int] = mapped_column(Integer)

    __table_args__ = (ForeignKeyConstraint(["schedule_project"], ["schedule_projects.code"]),)


class EnrollmentRow(Base):
    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_project: Mapped[str] = mapped_column(String(64))
    student: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64))
    prognosis: Mapped[float | None] = mapped_column(Float)
    profile: Mapped[str | None] = mapped_column(Text)
    education: Mapped[str | None] = mapped_column(Text)
    main_group: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # The last guard when imports race: one enrollment per student per schedule project.
        UniqueConstraint("schedule_project", "student", name="uq_enrollment_student_per_project"),
        ForeignKeyConstraint(["schedule_project", "department"], ["departments.schedule_project", "departments.code"]),
    )


class LearningPathRow(Base):
    __tablename__ = "learning_paths"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    element_code: Mapped[str] = mapped_column(String(64))
    lwoo_element_code: Mapped[str | None] = mapped_column(String(64))
    years_of_education: Mapped[list] = mapped_column(JSON)
    educations: Mapped[list] = mapped_column(JSON)
    profiles: Mapped[list] = mapped_column(JSON)


class AppliedChunkRow(AppliedChunkTable, Base):
    """An import chunk applied in the same transaction as its enrollments (see shared/applied_chunks.py)."""


class OutboxRow(OutboxTable, Base):
    """An audit entry (`audit.recorded`) written with its change; marked once on the stream, deleted after
    the event retention."""
