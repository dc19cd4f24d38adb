"""What the enrollments service does, one short function per command; the unit of work is passed in.

The values a command takes by hand have been read by its typed request definition (`commands.py`):
types, lengths, codes and years are checked there; here are the rules that need the data."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.enrollments import domain
from services.enrollments.domain import Department, Enrollment, LearningPath, ScheduleProject
from services.enrollments.ports import StudentDirectory, UnitOfWork
from services.enrollments.representation import enrollment_representation, project_representation
from services.enrollments.rows import decide_enrollment_row, refused_row, student_code
from shared import audit, policy
from shared.audit import AuditEntry
from shared.clock import utcnow
from shared.codes import has_control_character
from shared.errors import Conflict
from shared.messages import Chunk, ChunkResult, RowOut
from shared.policy import Actor

MAX_ROW_ID = 2**31 - 1


def create_project(uow: UnitOfWork, code: str, name: str, school_year: str) -> dict[str, Any]:
    name, school_year = name.strip(), school_year.strip()
    with uow:
        if not uow.enrollments.add_project(code, name, school_year):
            raise Conflict("schedule_project_exists", f"Schedule project {code!r} exists already.", {"code": code})
        created = _project(uow, code)
        uow.commit()
    return project_representation(created)


def update_project(uow: UnitOfWork, code: str, changes: dict[str, Any], actor: Actor | None = None) -> dict[str, Any]:
    """Change a project's name or school year (the fields given); a change that changes nothing
    is not recorded."""
    with uow:
        before = _project(uow, code, for_update=True)
        project = replace(before, **{name: value.strip() for name, value in changes.items()})
        if fields := domain.changed_fields(before, project):
            uow.enrollments.save_project(project)
            _record(uow, audit.SCHEDULE_PROJECT_UPDATED, actor, code, {"fields": fields})
            uow.commit()
    return project_representation(project)


def delete_project(uow: UnitOfWork, code: str, actor: Actor | None = None) -> None:
    """Delete a project with its departments, unless it has enrollments."""
    with uow:
        _project(uow, code, for_update=True)
        if uow.enrollments.has_enrollments(code) or not uow.enrollments.delete_project(code):
            raise domain.schedule_project_in_use(code)
        _record(uow, audit.SCHEDULE_PROJECT_DELETED, actor, code, {})
        uow.commit()


def list_projects(uow: UnitOfWork, after: str | None, limit: int) -> list[dict[str, Any]]:
    with uow.reading():
        return [project_representation(row) for row in uow.enrollments.projects(after, limit)]


def create_department(uow: UnitOfWork, project: str, code: str, name: str, year: int) -> dict[str, Any]:
    department = Department(project, code, name.strip(), year)
    with uow:
        _project(uow, project)
        if not uow.enrollments.add_department(department):
            raise Conflict("department_exists", f"Department {code!r} exists in {project} already.",
                           {"code": code, "schedule_project": project})
        uow.commit()
    return vars(department)


def update_department(uow: UnitOfWork, project: str, code: str, changes: dict[str, Any],
                      actor: Actor | None = None) -> dict[str, Any]:
    """Change a department's name or year of education; the learning paths of its enrollments follow
    when they are read."""
    if "name" in changes:
        changes = {**changes, "name": changes["name"].strip()}
    with uow:
        before = _department(uow, project, code, for_update=True)
        department = replace(before, **changes)
        if fields := domain.changed_fields(before, department):
            uow.enrollments.save_department(department)
            _record(uow, audit.DEPARTMENT_UPDATED, actor, code, {"schedule_project": project, "fields": fields})
            uow.commit()
    return vars(department)


def delete_department(uow: UnitOfWork, project: str, code: str, actor: Actor | None = None) -> None:
    """Delete a department, unless it has enrollments."""
    with uow:
        _department(uow, project, code, for_update=True)
        if (uow.enrollments.has_enrollments(project, code)
                or not uow.enrollments.delete_department(project, code)):
            raise domain.department_in_use(project, code)
        _record(uow, audit.DEPARTMENT_DELETED, actor, code, {"schedule_project": project})
        uow.commit()


def list_departments(uow: UnitOfWork, project: str, after: str | None = None, limit: int | None = None
                     ) -> list[dict[str, Any]]:
    """A project's departments in code order, after `after`, at most `limit`."""
    with uow.reading():
        _project(uow, project)
        departments = [vars(department) for code, department in uow.enrollments.departments(project).items()
                       if after is None or code > after]
    return departments[:limit]


def enroll(uow: UnitOfWork, directory: StudentDirectory | None, project: str, body: dict[str, Any],
           actor: Actor | None = None) -> dict[str, Any]:
    """Enroll one student by hand; the student directory (None without an event stream) catches up
    with the student events first."""
    student, department = body["student"], body["department"]
    prognosis = domain.parse_prognosis(body.get("prognosis"))
    optional = {name: _optional(body.get(name)) for name in ("profile", "education", "main_group")}
    _catch_up(directory)
    with uow:
        _project(uow, project)
        known = uow.enrollments.students([student]).get(student)
        domain.check_student_known(student, known)
        departments = uow.enrollments.departments(project)
        if department not in departments:
            raise domain.unknown_department(project, department)
        enrollment = Enrollment(project, student, department, prognosis, optional["profile"], optional["education"],
                                optional["main_group"], created_at=utcnow())
        if not uow.enrollments.add_enrollment(enrollment):
            raise domain.enrollment_exists(student, project)
        _record(uow, audit.ENROLLMENT_CREATED, actor, str(enrollment.id),
                {"schedule_project": project, "student": student, "department": department})
        paths = uow.enrollments.learning_paths()
        uow.commit()
    return enrollment_representation(enrollment, departments[department], paths, known)


def list_enrollments(uow: UnitOfWork, project: str, department=None, student=None, after=None, limit=100) -> list[dict]:
    with uow.reading():
        _project(uow, project)
        departments = uow.enrollments.departments(project)
        paths = uow.enrollments.learning_paths()
        enrollments = uow.enrollments.enrollments(project, department, student, after, limit)
        students = uow.enrollments.students([enrollment.student for enrollment in enrollments])
        return [enrollment_representation(enrollment, departments[enrollment.department], paths,
                                          students.get(enrollment.student))
                for enrollment in enrollments]


def update_enrollment(uow: UnitOfWork, project: str, enrollment_id: int, changes: dict[str, Any],
                      actor: Actor | None = None) -> dict[str, Any]:
    """Change an enrollment by hand: its department (one of the project's) and its details; `None`
    empties a detail. An import never comes here: it only creates enrollments."""
    values = dict(changes)
    if "prognosis" in values:
        values["prognosis"] = domain.parse_prognosis(values["prognosis"])
    for name in ("profile", "education", "main_group"):
        if name in values:
            values[name] = _optional(values[name])
    with uow:
        _project(uow, project)
        before = _enrollment(uow, project, enrollment_id)
        departments = uow.enrollments.departments(project)
        enrollment = replace(before, **values)
        if enrollment.department not in departments:
            raise domain.unknown_department(project, enrollment.department)
        if fields := domain.changed_fields(before, enrollment):
            if not uow.enrollments.save_enrollment(enrollment):  # the department was deleted meanwhile
                raise domain.unknown_department(project, enrollment.department)
            _record(uow, audit.ENROLLMENT_UPDATED, actor, str(enrollment_id),
                    {"schedule_project": project, "fields": fields})
        paths = uow.enrollments.learning_paths()
        student = uow.enrollments.students([enrollment.student]).get(enrollment.student)
        uow.commit()
    return enrollment_representation(enrollment, departments[enrollment.department], paths, student)


def delete_enrollment(uow: UnitOfWork, project: str, enrollment_id: int, actor: Actor | None = None) -> None:
    with uow:
        _project(uow, project)
        # An id no row can have (the column holds 32 bits) is not found, rather than a failing query.
        if not 1 <= enrollment_id <= MAX_ROW_ID or not uow.enrollments.delete_enrollment(project, enrollment_id):
            raise domain.enrollment_not_found(project, enrollment_id)
        _record(uow, audit.ENROLLMENT_DELETED, actor, str(enrollment_id), {"schedule_project": project})
        uow.commit()


def create_learning_path(uow: UnitOfWork, body: dict[str, Any]) -> dict[str, Any]:
    path = LearningPath(
        code=body["code"], name=body["name"].strip(), element_code=body["element_code"],
        lwoo_element_code=_optional(body.get("lwoo_element_code")),
        years_of_education=tuple(body["years_of_education"]),
        educations=tuple(body.get("educations", ())), profiles=tuple(body.get("profiles", ())),
    )
    with uow:
        if not uow.enrollments.add_learning_path(path):
            raise Conflict("learning_path_exists", f"Learning path {path.code!r} exists already.", {"code": path.code})
        uow.commit()
    return learning_path_representation(path)


def get_learning_path(uow: UnitOfWork, code: str) -> dict[str, Any]:
    with uow.reading():
        return learning_path_representation(_learning_path(uow, code))


def update_learning_path(uow: UnitOfWork, code: str, changes: dict[str, Any],
                         actor: Actor | None = None) -> dict[str, Any]:
    """Change any of a path's fields but its code; enrollments get the paths that fit them when read."""
    values: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
                              for name, value in changes.items()}
    if "name" in values:
        values["name"] = values["name"].strip()
    if "lwoo_element_code" in values:
        values["lwoo_element_code"] = _optional(values["lwoo_element_code"])
    with uow:
        before = _learning_path(uow, code, for_update=True)
        path = replace(before, **values)
        if fields := domain.changed_fields(before, path):
            uow.enrollments.save_learning_path(path)
            _record(uow, audit.LEARNING_PATH_UPDATED, actor, code, {"fields": fields})
            uow.commit()
    return learning_path_representation(path)


def delete_learning_path(uow: UnitOfWork, code: str, actor: Actor | None = None) -> None:
    """Delete a path; the enrollments it fitted get none, or the one other path that fits them."""
    with uow:
        if not uow.enrollments.delete_learning_path(code):
            raise domain.learning_path_not_found(code)
        _record(uow, audit.LEARNING_PATH_DELETED, actor, code, {})
        uow.commit()


def list_learning_paths(uow: UnitOfWork, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The learning paths in code order, after `after`, at most `limit`."""
    with uow.reading():
        paths = [learning_path_representation(path) for path in uow.enrollments.learning_paths()
                 if after is None or path.code > after]
    return paths[:limit]


def placements(uow: UnitOfWork, project: str) -> dict[str, list[dict[str, Any]]]:
    """Each enrollment's learning path and element code for Somtoday, and the ones without, with why;
    students who are archived or no longer students are left out (`excluded`, with which of the two)."""
    with uow.reading():
        _project(uow, project)
        departments = uow.enrollments.departments(project)
        paths = uow.enrollments.learning_paths()
        enrollments = uow.enrollments.enrollments(project)
        students = uow.enrollments.students([enrollment.student for enrollment in enrollments])
        placed, unplaced, excluded = [], [], []
        for enrollment in enrollments:
            known = students.get(enrollment.student)
            if known is not None and known.status != domain.ACTIVE:
                excluded.append({"student": enrollment.student, "department": enrollment.department,
                                 "reason": known.status})
                continue
            path, reason = domain.learning_path_for(enrollment, departments[enrollment.department], paths)
            if path is None:
                unplaced.append({"student": enrollment.student, "department": enrollment.department, "reason": reason})
            else:
                placed.append({"student": enrollment.student, "department": enrollment.department,
                               "main_group": enrollment.main_group, "learning_path": path.code,
                               "element_code": path.element_code})
        return {"placements": placed, "without_learning_path": unplaced, "excluded": excluded}


def apply_student_events(uow: UnitOfWork, users: list[dict[str, Any]]) -> None:
    """Keep the directory's students as the events describe them (user representations, in order)."""
    with uow:
        uow.enrollments.put_students([
            {"code": user["code"], "is_student": bool(user["is_student"]), "archived": bool(user["archived"]),
             "first_name": user.get("first_name"), "prefix": user.get("prefix"), "last_name": user.get("last_name"),
             "changed_at": user["updated_at"]}
            for user in users
        ])
        uow.commit()


def apply_enrollment_rows(uow: UnitOfWork, directory: StudentDirectory | None, chunk: Chunk) -> ChunkResult:
    """Plan (dry run) or apply one chunk of imported enrollment rows in one transaction, after the
    student directory caught up with the student events; a chunk applied before answers its stored
    results (exactly-once over redelivery)."""
    project = chunk.options.get("schedule_project") or ""
    _catch_up(directory)
    with uow:
        if not chunk.dry_run and (stored := uow.applied_chunks.results(chunk.key)) is not None:
            return _chunk_result(chunk, [RowOut(**row) for row in stored])
        if uow.enrollments.project(project) is None:
            return _chunk_result(chunk, [], problem={"code": "unknown_schedule_project",
                                                     "message": f"No schedule project has code {project!r}.",
                                                     "params": {"code": project}})
        actor = Actor.from_dict(chunk.actor)
        if missing := policy.missing_for_enrollment_change(actor):
            # The same policy as by hand: rows beyond the actor's rights are errors, in the preview too.
            return _chunk_result(chunk, [refused_row(row.line, actor, missing) for row in chunk.rows])
        row_codes = [student_code(row) for row in chunk.rows]
        # A code with a control character (a NUL: PostgreSQL refuses the whole query) is not looked up;
        # its row is an error anyway.
        codes = sorted({code for code in row_codes if code and not has_control_character(code)})
        students = uow.enrollments.students(codes)
        departments = uow.enrollments.departments(project)
        enrolled = uow.enrollments.enrolled_students(project, codes)
        decisions = [decide_enrollment_row(row, project, students.get(code), departments, code in enrolled)
                     for row, code in zip(chunk.rows, row_codes, strict=True)]
        if chunk.dry_run:
            return _chunk_result(chunk, [decision.to_row_out(applied=False) for decision in decisions])
        now = utcnow()
        creates = [decision for decision in decisions if decision.action == "create"]
        for decision in creates:
            decision.new_enrollment.created_at = now
        inserted = uow.enrollments.insert_enrollments([decision.new_enrollment for decision in creates])
        for decision in creates:
            if decision.new_enrollment.student not in inserted:  # another import enrolled the student meanwhile
                decision.already_enrolled(project)
        results = [decision.to_row_out(applied=True) for decision in decisions]
        uow.applied_chunks.record(chunk.key, [row.to_dict() for row in results])
        uow.commit()
    return _chunk_result(chunk, results)


def learning_path_representation(path: LearningPath) -> dict[str, Any]:
    return {"code": path.code, "name": path.name, "element_code": path.element_code,
            "lwoo_element_code": path.lwoo_element_code, "years_of_education": list(path.years_of_education),
            "educations": list(path.educations), "profiles": list(path.profiles)}


def _chunk_result(chunk: Chunk, rows: list[RowOut], problem=None) -> ChunkResult:
    return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows, problem=problem)


def _catch_up(directory: StudentDirectory | None) -> None:
    if directory is not None:
        directory.catch_up()


def _project(uow: UnitOfWork, code: str, for_update: bool = False) -> ScheduleProject:
    project = uow.enrollments.project(code, for_update=for_update)
    if project is None:
        raise domain.project_not_found(code)
    return project


def _department(uow: UnitOfWork, project: str, code: str, for_update: bool = False) -> Department:
    _project(uow, project)
    department = uow.enrollments.department(project, code, for_update=for_update)
    if department is None:
        raise domain.department_not_found(project, code)
    return department


def _enrollment(uow: UnitOfWork, project: str, enrollment_id: int) -> Enrollment:
    # An id no row can have (the column holds 32 bits) is not found, rather than a failing query.
    enrollment = (uow.enrollments.enrollment(project, enrollment_id, for_update=True)
                  if 1 <= enrollment_id <= MAX_ROW_ID else None)
    if enrollment is None:
        raise domain.enrollment_not_found(project, enrollment_id)
    return enrollment


def _learning_path(uow: UnitOfWork, code: str, for_update: bool = False) -> LearningPath:
    path = uow.enrollments.learning_path(code, for_update=for_update)
    if path is None:
        raise domain.learning_path_not_found(code)
    return path


def _optional(text: str | None) -> str | None:
    """A text as stored: without spaces at either end, and none when nothing else is left."""
    return (text or "").strip() or None


def _record(uow: UnitOfWork, action: str, actor: Actor | None, target: str, details: dict[str, Any]) -> None:
    uow.audit.add(AuditEntry.new(action, actor.code if actor else None, target, details,
                                 client=actor.client if actor else None))
