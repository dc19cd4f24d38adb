"""Hand-written fakes of the enrollments service's persistence and student directory, for handler
tests without I/O."""

from __future__ import annotations

import copy

from services.enrollments.domain import Department, Enrollment, LearningPath, ScheduleProject, Student
from shared.clock import utcnow
from tests.unit.fakes import FakeAuditTrail


class FakeEnrollmentRepository:
    def __init__(self):
        self.students_by_code: dict[str, Student] = {}
        self.projects_by_code: dict[str, ScheduleProject] = {}
        self.departments_by_key: dict[tuple[str, str], Department] = {}
        self.enrollments_by_id: dict[int, Enrollment] = {}
        self.paths: dict[str, LearningPath] = {}
        self.last_id = 0

    def put_students(self, students):
        for student in students:
            code = student["code"]
            self.students_by_code[code] = Student(code, student["is_student"], student["archived"],
                                                  student.get("first_name"), student.get("prefix"),
                                                  student.get("last_name"))

    def students(self, codes):
        return {code: self.students_by_code[code] for code in codes if code in self.students_by_code}

    def project(self, code, for_update=False):
        return self.projects_by_code.get(code)

    def save_project(self, project):
        self.projects_by_code[project.code] = project

    def delete_project(self, code):
        if self.has_enrollments(code):
            return False
        for key in [key for key in self.departments_by_key if key[0] == code]:
            del self.departments_by_key[key]
        del self.projects_by_code[code]
        return True

    def add_project(self, code, name, school_year):
        if code in self.projects_by_code:
            return False
        self.projects_by_code[code] = ScheduleProject(code, name, school_year, utcnow())
        return True

    def projects(self, after, limit):
        listed = [project for code, project in sorted(self.projects_by_code.items()) if after is None or code > after]
        return listed[:limit]

    def add_department(self, department):
        key = (department.schedule_project, department.code)
        if key in self.departments_by_key:
            return False
        self.departments_by_key[key] = department
        return True

    def department(self, project, code, for_update=False):
        return self.departments_by_key.get((project, code))

    def save_department(self, department):
        self.departments_by_key[(department.schedule_project, department.code)] = department

    def delete_department(self, project, code):
        if self.has_enrollments(project, code):
            return False
        del self.departments_by_key[(project, code)]
        return True

    def has_enrollments(self, project, department=None):
        return any(enrollment.schedule_project == project and department in (None, enrollment.department)
                   for enrollment in self.enrollments_by_id.values())

    def departments(self, project):
        return {code: department for (owner, code), department in sorted(self.departments_by_key.items())
                if owner == project}

    def enrolled_students(self, project, codes):
        return {enrollment.student for enrollment in self.enrollments_by_id.values()
                if enrollment.schedule_project == project and enrollment.student in codes}

    def add_enrollment(self, enrollment):
        return bool(self.insert_enrollments([enrollment]))

    def insert_enrollments(self, enrollments):
        inserted = set()
        for enrollment in enrollments:
            if self.enrolled_students(enrollment.schedule_project, [enrollment.student]):
                continue
            self.last_id += 1
            enrollment.id = self.last_id
            self.enrollments_by_id[enrollment.id] = copy.deepcopy(enrollment)
            inserted.add(enrollment.student)
        return inserted

    def enrollments(self, project, department=None, student=None, after=None, limit=None):
        found = sorted((e for e in self.enrollments_by_id.values() if e.schedule_project == project
                        and (department is None or e.department == department)
                        and (student is None or e.student == student)
                        and (after is None or e.student > after)), key=lambda e: e.student)
        return copy.deepcopy(found[:limit])

    def enrollment(self, project, enrollment_id, for_update=False):
        enrollment = self.enrollments_by_id.get(enrollment_id)
        if enrollment is None or enrollment.schedule_project != project:
            return None
        return copy.deepcopy(enrollment)

    def save_enrollment(self, enrollment):
        if (enrollment.schedule_project, enrollment.department) not in self.departments_by_key:
            return False
        self.enrollments_by_id[enrollment.id] = copy.deepcopy(enrollment)
        return True

    def delete_enrollment(self, project, enrollment_id):
        enrollment = self.enrollments_by_id.get(enrollment_id)
        if enrollment is None or enrollment.schedule_project != project:
            return False
        del self.enrollments_by_id[enrollment_id]
        return True

    def add_learning_path(self, path):
        if path.code in self.paths:
            return False
        self.paths[path.code] = path
        return True

    def learning_path(self, code, for_update=False):
        return self.paths.get(code)

    def save_learning_path(self, path):
        self.paths[path.code] = path

    def delete_learning_path(self, code):
        return self.paths.pop(code, None) is not None

    def learning_paths(self):
        return [path for _, path in sorted(self.paths.items())]


class FakeAppliedChunks:
    def __init__(self):
        self.stored: dict[str, list[dict]] = {}

    def results(self, key):
        return copy.deepcopy(self.stored.get(key))

    def record(self, key, results):
        self.stored[key] = copy.deepcopy(results)


class FakeUnitOfWork:
    """Keeps committed state; what a block did without commit is thrown away, as with a database."""

    def __init__(self):
        self.enrollments = FakeEnrollmentRepository()
        self.audit = FakeAuditTrail()
        self.applied_chunks = FakeAppliedChunks()
        self.commits = 0

    def reading(self):
        return self

    def __enter__(self):
        self._snapshot = copy.deepcopy((self.enrollments.__dict__, self.applied_chunks.stored))
        return self

    def __exit__(self, *exc_info):
        if self._snapshot is not None:
            state, stored = self._snapshot
            self.enrollments.__dict__.update(state)
            self.applied_chunks.stored = stored

    def commit(self):
        self._snapshot = None
        self.commits += 1


class FakeStudentDirectory:
    """Student events published but not yet handled; catching up hands them to the repository, as the
    real directory does with the event stream."""

    def __init__(self, uow: FakeUnitOfWork):
        self.uow = uow
        self.unhandled: list[dict] = []

    def publish(self, code: str, is_student: bool = True, archived: bool = False) -> None:
        self.unhandled.append({"code": code, "is_student": is_student, "archived": archived})

    def catch_up(self) -> bool:
        self.uow.enrollments.put_students(self.unhandled)
        self.unhandled = []
        return True
