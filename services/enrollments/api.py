"""HTTP endpoints of the enrollments service: parse, call a handler, answer."""

from __future__ import annotations

import csv
import io
from operator import itemgetter
from typing import Literal

from flask import Blueprint, Response, current_app, jsonify, request

from services.enrollments import handlers
from services.enrollments.commands import (
    DepartmentBody,
    DepartmentPatch,
    EnrollmentBody,
    EnrollmentPatch,
    LearningPathBody,
    LearningPathPatch,
    ScheduleProjectBody,
    ScheduleProjectPatch,
)
from services.enrollments.openapi_schemas import (
    Department,
    DepartmentList,
    Enrollment,
    EnrollmentList,
    LearningPath,
    LearningPathList,
    Placements,
    ScheduleProject,
    ScheduleProjectList,
)
from shared.api_types import Code, Page, Query, read_body, read_query
from shared.auth import current_actor, require_right
from shared.http import decode_cursor, is_code_cursor, json_body, page_of
from shared.openapi import CSV, JSON, documented
from shared.spreadsheet import safe_cell, safe_filename

api = Blueprint("enrollments", __name__, url_prefix="/api/v1")
PROJECT_LINKS = {name: (f"enrollments.{view}", {"project": "$response.body#/code"}) for name, view in (
    ("UpdateScheduleProject", "update_project"), ("DeleteScheduleProject", "delete_project"),
    ("CreateDepartment", "create_department"), ("ListDepartments", "list_departments"),
    ("CreateEnrollment", "create_enrollment"), ("ListEnrollments", "list_enrollments"), ("Placements", "placements"))}
DEPARTMENT_LINKS = {name: (f"enrollments.{view}", {"project": "$request.path.project",
                                                   "department": "$response.body#/code"}) for name, view in (
    ("ListEnrollmentsOfDepartment", "list_enrollments"), ("UpdateDepartment", "update_department"),
    ("DeleteDepartment", "delete_department"))}
ENROLLMENT_LINKS = {name: (f"enrollments.{view}", {"project": "$request.path.project",
                                                   "enrollment_id": "$response.body#/id"}) for name, view in (
    ("UpdateEnrollment", "update_enrollment"), ("DeleteEnrollment", "delete_enrollment"))}
LEARNING_PATH_LINKS = {name: (f"enrollments.{view}", {"code": "$response.body#/code"}) for name, view in (
    ("GetLearningPath", "get_learning_path"), ("UpdateLearningPath", "update_learning_path"),
    ("DeleteLearningPath", "delete_learning_path"))}
PLACEMENT_COLUMNS = ("leerlingnummer", "afdeling", "stamklas", "leerpad", "elementcode")


class EnrollmentListQuery(Page):
    department: Code | None = None
    student: Code | None = None


class PlacementsQuery(Query):
    format: Literal["json", "csv"] = "json"


def _service():
    return current_app.extensions["enrollments"]


def _uow():
    return _service().unit_of_work()


@api.post("/schedule-projects")
@require_right("enrollments:write")
@documented("Create a schedule project",
            {201: ScheduleProject, 409: "schedule_project_exists", 422: "invalid_code, invalid_type, invalid_text"},
            request=ScheduleProjectBody, links=PROJECT_LINKS)
def create_project():
    body = read_body(ScheduleProjectBody, json_body(request))
    return jsonify(handlers.create_project(_uow(), body.code, body.name, body.school_year)), 201


@api.patch("/schedule-projects/<project>")
@require_right("enrollments:write")
@documented("Change a schedule project's name or school year",
            {200: ScheduleProject, 404: "schedule_project_not_found",
             422: "code_not_changeable, invalid_type, invalid_text"},
            request=ScheduleProjectPatch, links=PROJECT_LINKS)
def update_project(project: str):
    body = read_body(ScheduleProjectPatch, json_body(request))
    return jsonify(handlers.update_project(_uow(), project, body.given(), current_actor()))


@api.delete("/schedule-projects/<project>")
@require_right("enrollments:write")
@documented("Delete a schedule project with its departments",
            {204: "Deleted", 404: "schedule_project_not_found", 409: "schedule_project_in_use"})
def delete_project(project: str):
    handlers.delete_project(_uow(), project, current_actor())
    return "", 204


@api.get("/schedule-projects")
@require_right("enrollments:read")
@documented("List schedule projects", {200: ScheduleProjectList}, query=Page)
def list_projects():
    page = read_query(Page, request)
    projects = handlers.list_projects(_uow(), decode_cursor(page.cursor, is_code_cursor), page.limit + 1)
    return page_of(projects, page.limit, cursor_of=itemgetter("code"))


@api.post("/schedule-projects/<project>/departments")
@require_right("enrollments:write")
@documented("Create a department with its year of education",
            {201: Department, 404: "schedule_project_not_found", 409: "department_exists",
             422: "invalid_code, invalid_type, invalid_year_of_education"}, request=DepartmentBody,
            links=DEPARTMENT_LINKS)
def create_department(project: str):
    body = read_body(DepartmentBody, json_body(request))
    department = handlers.create_department(_uow(), project, body.code, body.name, body.year_of_education)
    return jsonify(department), 201


@api.patch("/schedule-projects/<project>/departments/<department>")
@require_right("enrollments:write")
@documented("Change a department's name or year of education",
            {200: Department, 404: "schedule_project_not_found, department_not_found",
             422: "code_not_changeable, invalid_type, invalid_year_of_education"},
            request=DepartmentPatch, links=DEPARTMENT_LINKS)
def update_department(project: str, department: str):
    body = read_body(DepartmentPatch, json_body(request))
    return jsonify(handlers.update_department(_uow(), project, department, body.given(), current_actor()))


@api.delete("/schedule-projects/<project>/departments/<department>")
@require_right("enrollments:write")
@documented("Delete a department",
            {204: "Deleted", 404: "schedule_project_not_found, department_not_found", 409: "department_in_use"})
def delete_department(project: str, department: str):
    handlers.delete_department(_uow(), project, department, current_actor())
    return "", 204


@api.get("/schedule-projects/<project>/departments")
@require_right("enrollments:read")
@documented("List a schedule project's departments", {200: DepartmentList, 404: "schedule_project_not_found"},
            query=Page)
def list_departments(project: str):
    page = read_query(Page, request)
    after = decode_cursor(page.cursor, is_code_cursor)
    departments = handlers.list_departments(_uow(), project, after, page.limit + 1)
    return page_of(departments, page.limit, cursor_of=itemgetter("code"))


@api.post("/schedule-projects/<project>/enrollments")
@require_right("enrollments:write")
@documented("Enroll a student in a department", {201: Enrollment, 404: "schedule_project_not_found",
            409: "enrollment_exists", 422: "unknown_student, not_a_student, unknown_department, invalid_prognosis"},
            request=EnrollmentBody, links=ENROLLMENT_LINKS)
def create_enrollment(project: str):
    body = read_body(EnrollmentBody, json_body(request))
    return jsonify(handlers.enroll(_uow(), _service().directory, project, body.model_dump(), current_actor())), 201


@api.get("/schedule-projects/<project>/enrollments")
@require_right("enrollments:read")
@documented("List enrollments, ordered by student", {200: EnrollmentList, 404: "schedule_project_not_found"},
            query=EnrollmentListQuery)
def list_enrollments(project: str):
    query = read_query(EnrollmentListQuery, request)
    items = handlers.list_enrollments(_uow(), project, query.department, query.student,
                                      decode_cursor(query.cursor, is_code_cursor), query.limit + 1)
    return page_of(items, query.limit, cursor_of=itemgetter("student"))


@api.patch("/schedule-projects/<project>/enrollments/<int:enrollment_id>")
@require_right("enrollments:write")
@documented("Change an enrollment's department, prognosis, profile, education or main group",
            {200: Enrollment, 404: "schedule_project_not_found, enrollment_not_found",
             422: "unknown_department, invalid_prognosis, invalid_code, invalid_type"},
            request=EnrollmentPatch, links=ENROLLMENT_LINKS)
def update_enrollment(project: str, enrollment_id: int):
    body = read_body(EnrollmentPatch, json_body(request))
    return jsonify(handlers.update_enrollment(_uow(), project, enrollment_id, body.given(), current_actor()))


@api.delete("/schedule-projects/<project>/enrollments/<int:enrollment_id>")
@require_right("enrollments:write")
@documented("Delete an enrollment", {204: "Deleted", 404: "enrollment_not_found"})
def delete_enrollment(project: str, enrollment_id: int):
    handlers.delete_enrollment(_uow(), project, enrollment_id, current_actor())
    return "", 204


@api.post("/learning-paths")
@require_right("enrollments:write")
@documented("Create a learning path",
            {201: LearningPath, 409: "learning_path_exists", 422: "invalid_code, invalid_type, invalid_text"},
            request=LearningPathBody, links=LEARNING_PATH_LINKS)
def create_learning_path():
    body = read_body(LearningPathBody, json_body(request))
    return jsonify(handlers.create_learning_path(_uow(), body.model_dump())), 201


@api.get("/learning-paths/<code>")
@require_right("enrollments:read")
@documented("Get a learning path", {200: LearningPath, 404: "learning_path_not_found"})
def get_learning_path(code: str):
    return jsonify(handlers.get_learning_path(_uow(), code))


@api.patch("/learning-paths/<code>")
@require_right("enrollments:write")
@documented("Change any of a learning path's fields but its code",
            {200: LearningPath, 404: "learning_path_not_found",
             422: "code_not_changeable, invalid_code, invalid_type, invalid_text, invalid_year_of_education"},
            request=LearningPathPatch, links=LEARNING_PATH_LINKS)
def update_learning_path(code: str):
    body = read_body(LearningPathPatch, json_body(request))
    return jsonify(handlers.update_learning_path(_uow(), code, body.given(), current_actor()))


@api.delete("/learning-paths/<code>")
@require_right("enrollments:write")
@documented("Delete a learning path", {204: "Deleted", 404: "learning_path_not_found"})
def delete_learning_path(code: str):
    handlers.delete_learning_path(_uow(), code, current_actor())
    return "", 204


@api.get("/learning-paths")
@require_right("enrollments:read")
@documented("List learning paths", {200: LearningPathList}, query=Page)
def list_learning_paths():
    page = read_query(Page, request)
    after = decode_cursor(page.cursor, is_code_cursor)
    return page_of(handlers.list_learning_paths(_uow(), after, page.limit + 1), page.limit,
                   cursor_of=itemgetter("code"))


@api.get("/schedule-projects/<project>/placements")
@require_right("enrollments:read")
@documented("Placements for Somtoday; ?format=csv for a semicolon CSV",
            {200: Placements, 404: "schedule_project_not_found"}, query=PlacementsQuery, answers=(JSON, CSV))
def placements(project: str):
    answer_format = read_query(PlacementsQuery, request).format
    result = handlers.placements(_uow(), project)
    if answer_format == "json":
        return jsonify(result)
    return Response(_placements_csv(result["placements"]), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="plaatsingen-{safe_filename(project)}.csv"'})


def _placements_csv(placements: list[dict]) -> str:
    """Somtoday's semicolon CSV; every cell formula-safe, since a project's data is typed by people."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PLACEMENT_COLUMNS)
    for placement in placements:
        cells = (placement["student"], placement["department"], placement["main_group"] or "",
                 placement["learning_path"], placement["element_code"])
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()
