"""Students, schedule projects, departments, enrollments and learning paths in SQL."""

from __future__ import annotations

import operator

from sqlalchemy import delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.enrollments.domain import Department, Enrollment, LearningPath, ScheduleProject, Student
from services.enrollments.orm import (
    DepartmentRow,
    EnrollmentRow,
    LearningPathRow,
    ScheduleProjectRow,
    StudentRow,
)
from shared.clock import utcnow
from shared.db import copy_insert, is_postgresql, one_of

_STUDENT_FIELDS = ("code", "is_student", "archived", "first_name", "prefix", "last_name", "changed_at")
_student_values = operator.itemgetter(*_STUDENT_FIELDS)  # a row of them at C speed: 100,000 events per import
_ENROLLMENT_FIELDS = ("schedule_project", "student", "department", "prognosis", "profile", "education",
                      "main_group", "created_at")
_CHANGEABLE_ENROLLMENT_FIELDS = ("department", "prognosis", "profile", "education", "main_group")


class SqlAlchemyEnrollmentRepository:
    def __init__(self, session: Session):
        self.session = session

    def _insert(self, table):
        return (postgresql_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert)(table)

    # students, from events
    def put_students(self, students: list[dict]) -> None:
        """Insert or replace in bulk; a row whose stored state is newer than the event's is left
        alone (a late redelivery changes nothing)."""
        # Within one batch the newest state of a student wins, as it would event by event.
        latest: dict[str, dict] = {}
        for student in students:
            stored = latest.get(student["code"])
            if stored is None or stored["changed_at"] <= student["changed_at"]:
                latest[student["code"]] = student
        connection = self.session.connection()
        if is_postgresql(connection):
            rows = list(map(_student_values, latest.values()))
            replaced = ", ".join(f"{name} = EXCLUDED.{name}" for name in _STUDENT_FIELDS[1:])
            copy_insert(connection, "students", _STUDENT_FIELDS, rows, conflict=("code",),
                        on_conflict=f"DO UPDATE SET {replaced} WHERE students.changed_at <= EXCLUDED.changed_at")
            return
        table = StudentRow.__table__
        statement = self._insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["code"],
            set_={name: statement.excluded[name] for name in _STUDENT_FIELDS[1:]},
            where=table.c.changed_at <= statement.excluded.changed_at,
        )
        connection.execute(statement, list(latest.values()))

    def students(self, codes: list[str]) -> dict[str, Student]:
        if not codes:
            return {}
        rows = self.session.execute(select(StudentRow.code, StudentRow.is_student, StudentRow.archived,
                                           StudentRow.first_name, StudentRow.prefix, StudentRow.last_name)
                                    .where(one_of(StudentRow.code, sorted(set(codes)), self.session.connection())))
        return {row[0]: Student(*row) for row in rows}

    # schedule projects and departments
    def project(self, code: str, for_update: bool = False) -> ScheduleProject | None:
        row = self.session.get(ScheduleProjectRow, code, with_for_update=for_update)
        return None if row is None else _to_project(row)

    def save_project(self, project: ScheduleProject) -> None:
        self.session.execute(update(ScheduleProjectRow).where(ScheduleProjectRow.code == project.code)
                             .values(name=project.name, school_year=project.school_year))

    def delete_project(self, code: str) -> bool:
        """Delete a project with its departments; False when an enrollment still holds one (one
        enrolled meanwhile included: the foreign key says so)."""
        return self._changed(lambda: (
            self.session.execute(delete(DepartmentRow).where(DepartmentRow.schedule_project == code)),
            self.session.execute(delete(ScheduleProjectRow).where(ScheduleProjectRow.code == code))))

    def add_project(self, code: str, name: str, school_year: str) -> bool:
        return self._add(ScheduleProjectRow(code=code, name=name, school_year=school_year, created_at=utcnow()))

    def projects(self, after: str | None, limit: int) -> list[ScheduleProject]:
        query = select(ScheduleProjectRow).order_by(ScheduleProjectRow.code).limit(limit)
        if after is not None:
            query = query.where(ScheduleProjectRow.code > after)
        return [_to_project(row) for row in self.session.scalars(query)]

    def add_department(self, department: Department) -> bool:
        return self._add(DepartmentRow(schedule_project=department.schedule_project, code=department.code,
                                       name=department.name, year_of_education=department.year_of_education))

    def department(self, project: str, code: str, for_update: bool = False) -> Department | None:
        row = self.session.get(DepartmentRow, (project, code), with_for_update=for_update)
        return None if row is None else Department(row.schedule_project, row.code, row.name, row.year_of_education)

    def save_department(self, department: Department) -> None:
        self.session.execute(update(DepartmentRow).where(
            DepartmentRow.schedule_project == department.schedule_project, DepartmentRow.code == department.code)
            .values(name=department.name, year_of_education=department.year_of_education))

    def delete_department(self, project: str, code: str) -> bool:
        """False when an enrollment still holds the department (the foreign key says so)."""
        return self._changed(lambda: self.session.execute(delete(DepartmentRow).where(
            DepartmentRow.schedule_project == project, DepartmentRow.code == code)))

    def has_enrollments(self, project: str, department: str | None = None) -> bool:
        query = select(EnrollmentRow.id).where(EnrollmentRow.schedule_project == project)
        if department is not None:
            query = query.where(EnrollmentRow.department == department)
        return bool(self.session.scalar(select(exists(query))))

    def departments(self, project: str) -> dict[str, Department]:
        rows = self.session.scalars(select(DepartmentRow).where(DepartmentRow.schedule_project == project)
                                    .order_by(DepartmentRow.code))
        return {row.code: Department(row.schedule_project, row.code, row.name, row.year_of_education) for row in rows}

    # enrollments
    def enrolled_students(self, project: str, codes: list[str]) -> set[str]:
        if not codes:
            return set()
        return set(self.session.scalars(select(EnrollmentRow.student).where(
            EnrollmentRow.schedule_project == project,
            one_of(EnrollmentRow.student, codes, self.session.connection()))))

    def add_enrollment(self, enrollment: Enrollment) -> bool:
        row = EnrollmentRow(**{name: getattr(enrollment, name) for name in _ENROLLMENT_FIELDS})
        if not self._add(row):
            return False
        enrollment.id = row.id
        return True

    def insert_enrollments(self, enrollments: list[Enrollment]) -> set[str]:
        """Insert in bulk; a student enrolled meanwhile (a racing import) is left out. Returns the
        codes of the students whose enrollment was inserted."""
        if not enrollments:
            return set()
        connection = self.session.connection()
        if is_postgresql(connection):
            rows = [tuple(getattr(enrollment, name) for name in _ENROLLMENT_FIELDS) for enrollment in enrollments]
            return {student for (student,) in copy_insert(
                connection, "enrollments", _ENROLLMENT_FIELDS, rows, conflict=("schedule_project", "student"),
                returning=("student",))}
        table = EnrollmentRow.__table__
        statement = (self._insert(table).on_conflict_do_nothing(index_elements=["schedule_project", "student"])
                     .returning(table.c.student))
        rows = [{name: getattr(enrollment, name) for name in _ENROLLMENT_FIELDS} for enrollment in enrollments]
        return set(connection.execute(statement, rows).scalars())

    def enrollments(self, project: str, department: str | None = None, student: str | None = None,
                    after: str | None = None, limit: int | None = None) -> list[Enrollment]:
        query = select(EnrollmentRow).where(EnrollmentRow.schedule_project == project).order_by(EnrollmentRow.student)
        if department:
            query = query.where(EnrollmentRow.department == department)
        if student:
            query = query.where(EnrollmentRow.student == student)
        if after is not None:
            query = query.where(EnrollmentRow.student > after)
        if limit is not None:
            query = query.limit(limit)
        return [Enrollment(id=row.id, **{name: getattr(row, name) for name in _ENROLLMENT_FIELDS})
                for row in self.session.scalars(query)]

    def enrollment(self, project: str, enrollment_id: int, for_update: bool = False) -> Enrollment | None:
        row = self.session.get(EnrollmentRow, enrollment_id, with_for_update=for_update)
        if row is None or row.schedule_project != project:
            return None
        return Enrollment(id=row.id, **{name: getattr(row, name) for name in _ENROLLMENT_FIELDS})

    def save_enrollment(self, enrollment: Enrollment) -> bool:
        """False when its department is gone (deleted meanwhile: the foreign key says so)."""
        changed = {name: getattr(enrollment, name) for name in _CHANGEABLE_ENROLLMENT_FIELDS}
        return self._changed(lambda: self.session.execute(
            update(EnrollmentRow).where(EnrollmentRow.id == enrollment.id).values(**changed)))

    def delete_enrollment(self, project: str, enrollment_id: int) -> bool:
        result = self.session.execute(delete(EnrollmentRow).where(
            EnrollmentRow.schedule_project == project, EnrollmentRow.id == enrollment_id))
        return result.rowcount == 1

    # learning paths
    def add_learning_path(self, path: LearningPath) -> bool:
        return self._add(LearningPathRow(
            code=path.code, name=path.name, element_code=path.element_code, lwoo_element_code=path.lwoo_element_code,
            years_of_education=list(path.years_of_education), educations=list(path.educations),
            profiles=list(path.profiles)))

    def learning_path(self, code: str, for_update: bool = False) -> LearningPath | None:
        row = self.session.get(LearningPathRow, code, with_for_update=for_update)
        return None if row is None else _to_learning_path(row)

    def save_learning_path(self, path: LearningPath) -> None:
        self.session.execute(update(LearningPathRow).where(LearningPathRow.code == path.code).values(
            name=path.name, element_code=path.element_code, lwoo_element_code=path.lwoo_element_code,
            years_of_education=list(path.years_of_education), educations=list(path.educations),
            profiles=list(path.profiles)))

    def delete_learning_path(self, code: str) -> bool:
        return self.session.execute(delete(LearningPathRow).where(LearningPathRow.code == code)).rowcount == 1

    def learning_paths(self) -> list[LearningPath]:
        rows = self.session.scalars(select(LearningPathRow).order_by(LearningPathRow.code))
        return [_to_learning_path(row) for row in rows]

    def _add(self, row) -> bool:
        """Add a row; False when a unique key says it exists already (also when a request raced us)."""
        self.session.add(row)
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def _changed(self, change) -> bool:
        """Run a change in a savepoint; False when a foreign key refuses it (the savepoint is undone)."""
        try:
            with self.session.begin_nested():
                change()
        except IntegrityError:
            return False
        return True


def _to_learning_path(row: LearningPathRow) -> LearningPath:
    return LearningPath(row.code, row.name, row.element_code, row.lwoo_element_code,
                        tuple(row.years_of_education), tuple(row.educations), tuple(row.profiles))


def _to_project(row: ScheduleProjectRow) -> ScheduleProject:
    return ScheduleProject(row.code, row.name, row.school_year, row.created_at)
