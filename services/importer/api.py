"""HTTP endpoints of the importer: parse, call a handler, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from pydantic import Field

from services.importer import handlers
from services.importer.commands import ImportSettingsPatch, ImportUpload, Kind
from services.importer.domain import Status
from services.importer.openapi_schemas import Action, ImportJob, ImportJobList, ImportRowList
from services.importer.representation import job_in_language, row_in_language
from shared import catalogue
from shared.api_types import NO_CONTROL_CHARACTERS, Page, Query, read_body, read_query
from shared.auth import current_actor, require_right
from shared.errors import UnsupportedMediaType
from shared.http import decode_cursor, json_body, page_of
from shared.openapi import CSV, MULTIPART, documented
from shared.signed_links import LinkLanguage, link_signer
from shared.spreadsheet import safe_filename

api = Blueprint("importer", __name__, url_prefix="/api/v1")


JOB_LINKS = {name: (f"importer.{view}", {"job_id": "$response.body#/id"}) for name, view in (
    ("GetImport", "get_import"), ("ChangeImport", "change_import"), ("StartImport", "start_import"),
    ("CancelImport", "cancel_import"), ("ImportRows", "list_import_rows"), ("ImportErrors", "import_errors"),
    ("DeleteImport", "delete_import"))}


class ImportListQuery(Page):
    kind: Kind | None = None
    status: Status | None = None


class RowListQuery(Page):
    action: Action | None = None


class SignedLinkQuery(Query):
    """The errors_csv_url's own parameters, for a browser without the token; `lang` (nl, the default,
    or en; any other value is refused) chooses the language of the messages, as Accept-Language does.
    The link an English reader is given carries lang=en, so the file opens in English."""

    expires: Annotated[int, Field(ge=0)] | None = None
    signature: Annotated[str, Field(max_length=128, pattern=NO_CONTROL_CHARACTERS)] | None = None
    lang: LinkLanguage | None = None


def _language() -> str:
    """The reader's language: `?lang=` first (a link opened in a browser), else Accept-Language."""
    return catalogue.language(request.args.get("lang") or request.headers.get("Accept-Language"))


def _service():
    return current_app.extensions["importer"]


def _uow():
    return _service().unit_of_work()


@api.post("/imports")
@require_right("imports:write")
@documented("Upload a file to import (multipart/form-data); analysis starts at once",
            {202: ImportJob, 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_option"},
            request=ImportUpload, request_type=MULTIPART, links=JOB_LINKS)
def create_import():
    if not request.mimetype == "multipart/form-data":
        raise UnsupportedMediaType("unsupported_media_type", "Upload the file as multipart/form-data.")
    # The file's bytes stay in their stream: the form is checked with an empty stand-in.
    fields = {name: value for name, value in request.form.items() if value != ""}
    upload = read_body(ImportUpload, {**fields, **{name: b"" for name in request.files}})
    file = request.files["file"]
    job = handlers.create_job(_uow(), upload.kind, file.filename, file.stream, upload.options(),
                              current_actor(), _service().max_upload_bytes)
    response = jsonify(_with_links(job))
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/imports/{job['id']}"
    return response


@api.get("/imports")
@require_right("imports:read")
@documented("List import jobs, newest first", {200: ImportJobList}, query=ImportListQuery)
def list_imports():
    query = read_query(ImportListQuery, request)
    before = decode_cursor(query.cursor, _is_job_position)
    jobs = handlers.list_jobs(_uow(), query.kind, query.status, before, query.limit + 1)
    return page_of([_with_links(job) for job in jobs], query.limit, cursor_of=_job_position)


def _with_links(job: dict) -> dict:
    """The job with its errors.csv as a link a browser opens without the token (short-lived, for this
    job's file only), given to a caller who may read that file anyway: one holding imports:read; its
    error in the reader's language."""
    lang = _language()
    job_in_language(job, lang)
    readable = "imports:read" in current_actor().rights
    path = f"{api.url_prefix}/imports/{job['id']}/errors.csv"
    job["errors_csv_url"] = link_signer(current_app.config["SECRET_KEY"]).sign(path, lang=lang) if readable else None
    return job


def _job_position(job: dict) -> list:
    """Where a list of jobs, newest first, continues after `job`: its creation time and id."""
    return [job["created_at"].replace("Z", "+00:00"), job["id"]]


def _is_job_position(value) -> bool:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)):
        return False
    try:
        return datetime.fromisoformat(value[0]).tzinfo is not None and len(value[1]) <= 36
    except ValueError:
        return False


def _is_row_position(value) -> bool:
    """A chunk number and a row index within it."""
    return isinstance(value, list) and len(value) == 2 and \
        all(isinstance(number, int) and not isinstance(number, bool) and 0 <= number < 2**31 for number in value)


@api.get("/imports/<job_id>")
@require_right("imports:read")
@documented("An import job: status, settings, columns, counts, progress", {200: ImportJob, 404: "import_not_found"})
def get_import(job_id: str):
    return jsonify(_with_links(handlers.get_job(_uow(), job_id)))


@api.patch("/imports/<job_id>")
@require_right("imports:write")
@documented("Change the settings of a ready job, or of one that failed on its settings; it is analysed again "
            "(not when only max_archive_percent changes)",
            {200: ImportJob, 404: "import_not_found", 409: "invalid_state", 422: "invalid_option"},
            request=ImportSettingsPatch)
def change_import(job_id: str):
    # null means "detect" (or "none") as an empty text does.
    options = {name: "" if value is None else value
               for name, value in read_body(ImportSettingsPatch, json_body(request)).given().items()}
    return jsonify(_with_links(handlers.change_settings(_uow(), job_id, options, current_actor())))


@api.post("/imports/<job_id>/start")
@require_right("imports:write")
@documented("Start applying a ready job; refused while it would archive more than max_archive_percent of the "
            "active students", {202: ImportJob, 404: "import_not_found",
                                409: "invalid_state, change_threshold_exceeded"})
def start_import(job_id: str):
    return jsonify(_with_links(handlers.start_job(_uow(), job_id, _service().timing, current_actor()))), 202


@api.post("/imports/<job_id>/cancel")
@require_right("imports:write")
@documented("Cancel a job; rows already applied stay applied",
            {202: ImportJob, 404: "import_not_found", 409: "invalid_state"})
def cancel_import(job_id: str):
    return jsonify(_with_links(handlers.cancel_job(_uow(), job_id, current_actor()))), 202


@api.delete("/imports/<job_id>")
@require_right("imports:write")
@documented("Discard a job that is not queued or running, with its file and its row results",
            {204: "Deleted", 404: "import_not_found", 409: "invalid_state"})
def delete_import(job_id: str):
    handlers.delete_job(_uow(), job_id, current_actor())
    return "", 204


@api.get("/imports/<job_id>/rows")
@require_right("imports:read")
@documented("Row results in file order", {200: ImportRowList, 404: "import_not_found", 410: "rows_expired"},
            query=RowListQuery)
def list_import_rows(job_id: str):
    query = read_query(RowListQuery, request)
    after = decode_cursor(query.cursor, _is_row_position)
    rows, next_position = handlers.list_rows(_uow(), job_id, query.action, tuple(after) if after else None,
                                             query.limit)
    lang = _language()
    return page_of([row_in_language(row, lang) for row in rows],
                   next_position=list(next_position) if next_position else None)


@api.get("/imports/<job_id>/errors.csv")
@require_right("imports:read", signed_link=True)
@documented("Rows with action error or skip as a semicolon CSV (UTF-8 with BOM). With the Bearer token, or "
            "without it as the job's errors_csv_url: expires and signature open exactly this job's file for "
            "10 minutes",
            {200: "line;code;action;message", 401: "missing_token, invalid_token, token_expired, link_expired",
             403: "insufficient_rights, invalid_signature", 404: "import_not_found", 410: "rows_expired"},
            query=SignedLinkQuery, answers=(CSV,))
def import_errors(job_id: str):
    read_query(SignedLinkQuery, request)  # checked by require_right; here their types and bounds
    handlers.require_rows(_uow(), job_id)  # 404 or 410 before the stream starts
    lines = handlers.errors_csv(_uow(), job_id, _language())
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{safe_filename(job_id)}-errors.csv"',
        "Content-Type": "text/csv; charset=utf-8",
    })

