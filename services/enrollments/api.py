"""HTTP endpoints of the enrollments service: parse, call a handler, answer."""

from __future__ import annotations

import csv
import io
from operator import itemgetter

from flask import Blueprint, Response, current_app, jsonify, request

from services.enrollments import handlers
from shared.auth import require_right
from shared.http import decode_cursor, invalid_parameter, is_code_cursor, json_body, page_limit, page_of
from shared.openapi import CSV, JSON, documented
from shared.spreadsheet import safe_cell, safe_filename

api = Blueprint("enrollments", __name__, url_prefix="/api/v1")
ENROLLMENT_FIELDS = ("student", "department", "prognosis", "profile", "education", "main_group")
LEARNING_PATH_FIELDS = ("code", "name", "element_code", "lwoo_element_code", "years_of_education", "educations",
                        "profiles")
PLACEMENT_COLUMNS = ("leerlingnummer", "afdeling", "stamklas", "leerpad", "elementcode")


def _service():
    return current_app.extensions["enrollments"]


def _uow():
    return _service().unit_of_work()


@api.post("/schedule-projects")
@require_right("enrollments:write")
@documented("Create a schedule project",
            {201: "ScheduleProject", 409: "schedule_project_exists", 422: "invalid_code, invalid_type, invalid_text"},
            request="ScheduleProject")
def create_project():
    body = json_body(request, ("code", "name", "school_year"))
    return jsonify(handlers.create_project(_uow(), body.get("code"), body.get("name"), body.get("school_year"))), 201


@api.get("/schedule-projects")
@require_right("enrollments:read")
@documented("List schedule projects", {200: "ScheduleProjectList"}, query=("limit", "cursor"))
def list_projects():
    limit = page_limit(request.args)
    projects = handlers.list_projects(_uow(), decode_cursor(request.args.get("cursor"), is_code_cursor), limit + 1)
    return page_of(projects, limit, cursor_of=itemgetter("code"))


@api.post("/schedule-projects/<project>/departments")
@require_right("enrollments:write")
@documented("Create a department with its year of education",
            {201: "Department", 404: "schedule_project_not_found", 409: "department_exists",
             422: "invalid_code, invalid_type, invalid_year_of_education"}, request="Department")
def create_department(project: str):
    body = json_body(request, ("code", "name", "year_of_education"))
    department = handlers.create_department(_uow(), project, body.get("code"), body.get("name"),
                                            body.get("year_of_education"))
    return jsonify(department), 201


@api.get("/schedule-projects/<project>/departments")
@require_right("enrollments:read")
@documented("List a schedule project's departments", {200: "DepartmentList", 404: "schedule_project_not_found"},
            query=("limit", "cursor"))
def list_departments(project: str):
    limit = page_limit(request.args)
    after = decode_cursor(request.args.get("cursor"), is_code_cursor)
    return page_of(handlers.list_departments(_uow(), project, after, limit + 1), limit, cursor_of=itemgetter("code"))


@api.post("/schedule-projects/<project>/enrollments")
@require_right("enrollments:write")
@documented("Enroll a student in a department", {201: "Enrollment", 404: "schedule_project_not_found",
            409: "enrollment_exists", 422: "unknown_student, not_a_student, unknown_department, invalid_prognosis"},
            request="EnrollmentCreate")
def create_enrollment(project: str):
    return jsonify(handlers.enroll(_uow(), _service().directory, project, json_body(request, ENROLLMENT_FIELDS))), 201


@api.get("/schedule-projects/<project>/enrollments")
@require_right("enrollments:read")
@documented("List enrollments, ordered by student", {200: "EnrollmentList", 404: "schedule_project_not_found"},
            query=("department", "student", "limit", "cursor"))
def list_enrollments(project: str):
    limit = page_limit(request.args)
    items = handlers.list_enrollments(_uow(), project, request.args.get("department") or None,
                                      request.args.get("student") or None,
                                      decode_cursor(request.args.get("cursor"), is_code_cursor), limit + 1)
    return page_of(items, limit, cursor_of=itemgetter("student"))


@api.delete("/schedule-projects/<project>/enrollments/<int:enrollment_id>")
@require_right("enrollments:write")
@documented("Delete an enrollment", {204: "deleted", 404: "enrollment_not_found"})
def delete_enrollment(project: str, enrollment_id: int):
    handlers.delete_enrollment(_uow(), project, enrollment_id)
    return "", 204


@api.post("/learning-paths")
@require_right("enrollments:write")
@documented("Create a learning path",
            {201: "LearningPath", 409: "learning_path_exists", 422: "invalid_code, invalid_type, invalid_text"},
            request="LearningPath")
def create_learning_path():
    return jsonify(handlers.create_learning_path(_uow(), json_body(request, LEARNING_PATH_FIELDS))), 201


@api.get("/learning-paths")
@require_right("enrollments:read")
@documented("List learning paths", {200: "LearningPathList"}, query=("limit", "cursor"))
def list_learning_paths():
    limit = page_limit(request.args)
    after = decode_cursor(request.args.get("cursor"), is_code_cursor)
    return page_of(handlers.list_learning_paths(_uow(), after, limit + 1), limit, cursor_of=itemgetter("code"))


@api.get("/schedule-projects/<project>/placements")
@require_right("enrollments:read")
@documented("Placements for Somtoday; ?format=csv for a semicolon CSV",
            {200: "Placements", 404: "schedule_project_not_found"},
            query={"format": {"type": "string", "enum": ["json", "csv"]}}, answers=(JSON, CSV))
def placements(project: str):
    result = handlers.placements(_uow(), project)
    answer_format = request.args.get("format") or "json"
    if answer_format not in ("json", "csv"):
        raise invalid_parameter("format", "format must be json or csv.")
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
