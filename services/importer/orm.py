"""Tables of the importer database: jobs, the uploaded file in blocks, and chunks of rows.

The file lives in the database (not on a disk only the API process sees), so any importer worker
on any machine can read it. Rows travel and are stored per chunk: a chunk's values, its planned
actions (the preview) and its results are each one JSON document, and its per-action counts are
columns, so progress and counts are sums over a few hundred chunk rows, never over every row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.outbox import OutboxTable


class Base(DeclarativeBase):
    pass


class JobRow(Base):
    __tablename__ = "import_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    filename: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict] = mapped_column(JSON)
    columns: Mapped[list] = mapped_column(JSON)
    sample_rows: Mapped[list | None] = mapped_column(JSON)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    chunk_count: Mapped[int | None] = mapped_column(Integer)
    start_when_ready: Mapped[bool] = mapped_column(default=False)
    analysis_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    analysis_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[dict | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(Text)
    # The rights each acted with, sent with every chunk: the preview decides rows with the
    # uploader's rights, applying with the starter's (a job from before 0003 has none: no rights).
    created_by_rights: Mapped[list | None] = mapped_column(JSON)
    started_by: Mapped[str | None] = mapped_column(Text)
    started_by_rights: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set once the row results of a finished job are deleted after the retention (its chunks keep their counts).
    rows_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # With archive_missing: the active students when the leavers were planned (the threshold's base).
    active_students: Mapped[int | None] = mapped_column(Integer)


class FileBlockRow(Base):
    __tablename__ = "import_file_blocks"

    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ChunkRow(Base):
    __tablename__ = "import_chunks"

    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    chunk_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_count: Mapped[int] = mapped_column(Integer)
    rows: Mapped[list] = mapped_column(JSON)
    plan: Mapped[list | None] = mapped_column(JSON)
    result: Mapped[list | None] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    planned_create: Mapped[int] = mapped_column(Integer, default=0)
    planned_update: Mapped[int] = mapped_column(Integer, default=0)
    planned_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    planned_skip: Mapped[int] = mapped_column(Integer, default=0)
    planned_error: Mapped[int] = mapped_column(Integer, default=0)
    done_create: Mapped[int] = mapped_column(Integer, default=0)
    done_update: Mapped[int] = mapped_column(Integer, default=0)
    done_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    done_skip: Mapped[int] = mapped_column(Integer, default=0)
    done_error: Mapped[int] = mapped_column(Integer, default=0)
    planned_archive: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    done_archive: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The leavers chunk only: every key (code) of the file, sorted, one per line, for planning the leavers.
    file_keys: Mapped[str | None] = mapped_column(Text)



class OutboxRow(OutboxTable, Base):
    """An audit entry (`audit.recorded`) written with its change; kept, marked published, for the
    retention window once it is on the stream."""
