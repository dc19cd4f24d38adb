"""The shapes of the importer's answers, for its OpenAPI document (see `representation.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from services.importer.commands import Kind, LoginMethod, Mode
from services.importer.domain import Status
from shared.api_types import Answer, list_of
from shared.messages import ACTIONS

Action = Literal[ACTIONS]  # type: ignore[valid-type]


class Settings(Answer):
    delimiter: str | None
    encoding: str | None
    has_header: bool
    mapping: dict[str, str] | None
    mode: Mode
    as_student: bool
    schedule_project: str | None
    login_method: LoginMethod | None = Field(description="users: the login method of the users it creates")
    archive_missing: bool = Field(description="users: archive the active students missing from the file")
    max_archive_percent: int = Field(description="the most of the active students start may archive, in percent")


class Column(Answer):
    index: int
    header: str
    field: str
    samples: list[str]


class Progress(Answer):
    processed: int
    total: int | None


class JobError(Answer):
    code: str
    message: str


class ImportJob(Answer):
    """An import job: status, settings, columns, counts, progress"""

    id: str
    kind: Kind
    status: Status
    filename: str
    settings: Settings
    fields: list[str]
    columns: list[Column]
    sample_rows: list[list[str]] = Field(description="the first records as read (every column)")
    total_rows: int | None
    progress: Progress
    counts: dict[Action, int] = Field(description="rows per action: the preview's until it runs; archive counts "
                                      "the leavers, only in jobs with archive_missing")
    active_students: int | None = Field(description="archive_missing: the active students when the leavers were "
                                        "planned (max_archive_percent is a share of them)")
    error: JobError | None
    created_by: str
    started_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rows_deleted_at: datetime | None = Field(description="when its row results were deleted, "
                                             "PORTAL_IMPORT_RETENTION_DAYS after it finished: its rows and "
                                             "errors.csv answer 410 rows_expired since; counts stay")
    errors_csv_url: str | None = Field(description="errors.csv as a path with expires and signature: opens without "
                                       "the token for 10 minutes, this job's file only; null for a caller without "
                                       "imports:read")


class ImportRow(Answer):
    """A row's outcome"""

    line: int = Field(description="the file's line where the record starts; 0 for a leaver (action archive), "
                      "who is no line of the file")
    action: Action
    values: dict[str, str | None]
    messages: list[str]
    applied: bool
    reason: str | None
    params: dict[str, Any]
    changes: dict[str, list[Any]] | None = Field(description="update: {field: [old, new]}, a password as "
                                                 "\"********\" both sides; null for other actions")


ImportJobList = list_of(ImportJob)
ImportRowList = list_of(ImportRow)
