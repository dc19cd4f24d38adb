"""Messages between the importer and the services that apply rows (version 1).

A chunk carries hundreds to thousands of rows of one import; the applying service answers with
one result per row, in the same order. Plain dicts on the wire (JSON through Celery).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGE_VERSION = 1
ACTIONS = ("create", "update", "unchanged", "skip", "error")

# Task names: the importer sends by name, so no service imports another.
APPLY_USER_ROWS = "users.apply_rows"
APPLY_ENROLLMENT_ROWS = "enrollments.apply_rows"
RECORD_CHUNK_RESULT = "importer.record_chunk_result"
USERS_QUEUE = "users"
ENROLLMENTS_QUEUE = "enrollments"
IMPORTER_QUEUE = "importer"


@dataclass
class RowIn:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)  # found by the importer (e.g. a repeated code)


@dataclass
class RowOut:
    line: int
    action: str
    messages: list[str] = field(default_factory=list)
    applied: bool = False


@dataclass
class Chunk:
    job_id: str
    generation: int
    chunk_no: int
    dry_run: bool
    options: dict[str, Any]
    rows: list[RowIn]
    version: int = MESSAGE_VERSION

    @property
    def key(self) -> str:
        """Identifies one application of this chunk, whatever how often it is delivered."""
        return f"{self.job_id}:{self.generation}:{self.chunk_no}"

    def to_dict(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every value, which costs more than the
        # rest of a chunk's journey together.
        return {"job_id": self.job_id, "generation": self.generation, "chunk_no": self.chunk_no,
                "dry_run": self.dry_run, "options": self.options, "version": self.version,
                "rows": [{"line": row.line, "values": row.values, "errors": row.errors} for row in self.rows]}

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> "Chunk":
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
    # A problem with the whole import rather than a row (e.g. unknown_schedule_project): {"code", "message"}.
    problem: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "generation": self.generation, "chunk_no": self.chunk_no,
                "dry_run": self.dry_run, "version": self.version, "problem": self.problem,
                "rows": [{"line": row.line, "action": row.action, "messages": row.messages, "applied": row.applied}
                         for row in self.rows]}

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> "ChunkResult":
        rows = [RowOut(**row) for row in body["rows"]]
        return cls(**{**body, "rows": rows})
