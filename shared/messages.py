"""Messages between the importer and the services that apply rows (version 1).

A chunk carries hundreds to thousands of rows of one import; the applying service answers with
one result per row, in the same order. On the wire each is one JSON text (a dataclass as orjson
writes it), the single argument of a Celery task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.jsontext import from_json, to_json

MESSAGE_VERSION = 1
ACTIONS = ("create", "update", "unchanged", "skip", "error", "archive")

# Task names: the importer sends by name, so no service imports another.
APPLY_USER_ROWS = "users.apply_rows"
# The leavers of a users synchronize with archive_missing: planned from the file's codes, then archived.
APPLY_LEAVERS = "users.apply_leavers"
APPLY_ENROLLMENT_ROWS = "enrollments.apply_rows"
RECORD_CHUNK_RESULT = "importer.record_chunk_result"
PUBLISH_USER_EVENTS = "users.publish_events"  # flushes the users outbox; the relay does this too
ANALYZE_IMPORT = "importer.analyze"  # reads an uploaded file into chunks
SWEEP_IMPORTS = "importer.sweep"  # moves every unfinished import on (sent by the worker holding the sweep lease)
USERS_QUEUE = "users"
ENROLLMENTS_QUEUE = "enrollments"
IMPORTER_QUEUE = "importer"
# From this attempt on, a chunk whose application raises is decided one row at a time (each row in its
# own transaction, under its own key), so one row the service cannot handle fails alone. Earlier
# attempts are whole: a failure may be passing (a lock, a restart), and a whole chunk is 2,000x cheaper.
ROW_BY_ROW_ATTEMPT = 3
ROW_FAILED = "row_failed"  # the reason of a row whose service raised on it
# What a row says to a person: a note, {"code", "params"} (see shared/catalogue), made text only when
# it is read, in the reader's language; a plain text from a worker before notes existed is shown as it is.
Message = Any


@dataclass
class RowIn:
    line: int
    values: dict[str, str]
    errors: list[Message] = field(default_factory=list)  # found by the importer (e.g. a repeated code)
    # Found by the importer too, but the row is still decided (e.g. fewer fields than the header).
    warnings: list[Message] = field(default_factory=list)


@dataclass
class RowOut:
    line: int
    action: str
    messages: list[Message] = field(default_factory=list)
    applied: bool = False
    reason: str | None = None  # a stable code for why, e.g. insufficient_rights
    params: dict[str, Any] | None = None  # what the reason is about, e.g. {"missing": [...]}
    # An update's changes, {"field": [old, new]} (a password as MASK both sides); None for other actions.
    changes: dict[str, list[Any]] | None = None
    # The row's values when the service made the row (a leaver: no line of the file), else None.
    values: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as it travels and is kept: its line, its action, and only what differs from the
        defaults. Most rows of an import are a plain create or unchanged, and 2,000 whole rows per
        chunk were most of the bytes every result was written, sent, decoded and stored as.
        `RowOut(**row)` reads it back."""
        row: dict[str, Any] = {"line": self.line, "action": self.action}
        if self.messages:
            row["messages"] = self.messages
        if self.applied:
            row["applied"] = True
        for name in ("reason", "params", "changes", "values"):
            if (value := getattr(self, name)) is not None:
                row[name] = value
        return row


@dataclass
class Chunk:
    job_id: str
    generation: int
    chunk_no: int
    dry_run: bool
    options: dict[str, Any]
    rows: list[RowIn]
    version: int = MESSAGE_VERSION
    # Who the rows are decided for, {"code", "rights"}: the uploader for a dry run, whoever started
    # the job when applied. A chunk without one acts for nobody: every change is refused.
    actor: dict[str, Any] | None = None
    attempt: int = 1  # how often the importer has sent this chunk, this time included
    # Set when the chunk holds one row of a chunk decided row by row: that row's line, part of its key.
    row_line: int | None = None

    @property
    def key(self) -> str:
        """Identifies one application of this chunk (or of one row of it), whatever how often it is
        delivered."""
        key = f"{self.job_id}:{self.generation}:{self.chunk_no}"
        return key if self.row_line is None else f"{key}:{self.row_line}"

    def to_message(self) -> str:
        return to_json(self)

    @classmethod
    def from_message(cls, message: str | dict[str, Any]) -> Chunk:
        body = _body(message)
        rows = [RowIn(**row) for row in body["rows"]]
        return cls(**{**body, "rows": rows})


@dataclass
class ChunkResult:
    job_id: str
    generation: int
    chunk_no: int
    dry_run: bool
    rows: list[RowOut]
    version: int = MESSAGE_VERSION
    # A problem with the whole import rather than a row (e.g. unknown_schedule_project): {"code", "message"}
    # and, for the catalogue's text, "params".
    problem: dict[str, Any] | None = None
    # The service raised on the chunk before deciding it (the exception's type, no rows): send it again.
    failure: str | None = None
    # Figures about the whole import the service found (leavers: {"active": the active students}).
    facts: dict[str, Any] | None = None

    def to_message(self) -> str:
        return to_json({**vars(self), "rows": [row.to_dict() for row in self.rows]})

    @classmethod
    def from_message(cls, message: str | dict[str, Any]) -> ChunkResult:
        body = _body(message)
        rows = [RowOut(**row) for row in body["rows"]]
        return cls(**{**body, "rows": rows})


def _body(message: str | dict[str, Any]) -> dict[str, Any]:
    """A message is one JSON text: Celery then decodes a single string (its decoder calls a hook
    per object) and the prefork pool passes a string to its child, and the rows are decoded once,
    by orjson. A dict is the same message as workers before this format sent it."""
    return from_json(message) if isinstance(message, str) else message
