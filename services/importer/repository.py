"""Jobs, their sealed files and their chunks in SQL: maps rows to `Job`s and back. Counts and
progress are sums over chunk columns, never over every row."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, defer

from services.importer.domain import (
    FINISHED,
    ROW_BY_ROW_TIMEOUT_FACTOR,
    ImportSettings,
    Job,
    Phase,
    Status,
    kind_named,
)
from services.importer.orm import ChunkRow, FileBlockRow, JobRow
from services.importer.ports import ChunkOutcomes, ChunkToSend, Totals
from shared.errors import Conflict
from shared.messages import ACTIONS, ROW_BY_ROW_ATTEMPT, RowIn
from shared.policy import Actor
from shared.sealing import MASK, Sealer

BLOCK_BYTES = 1024 * 1024
# The database's words for the two phases: a chunk's outcome columns and its count columns.
_OUTCOME = {Phase.PREVIEW: "plan", Phase.APPLY: "result"}
_COUNTS = {Phase.PREVIEW: "planned", Phase.APPLY: "done"}


class SqlAlchemyJobRepository:
    def __init__(self, session: Session, sealer: Sealer):
        self.session = session
        self.sealer = sealer
        self._read: dict[str, dict] = {}  # each job's columns as read or last written

    # jobs
    def add(self, job: Job) -> None:
        self.session.add(JobRow(id=job.id, created_at=job.created_at, **_job_values(job)))
        self.session.flush()
        job.stored_status = job.status

    def get(self, job_id: str, lock: bool = False, skip_locked: bool = False) -> Job | None:
        """The job; with `lock`, its row locked for this transaction (with `skip_locked`, None when
        another transaction holds it: on PostgreSQL, SQLite's writers queue anyway)."""
        query = select(JobRow).where(JobRow.id == job_id)
        if lock:
            query = query.with_for_update(skip_locked=skip_locked)
        row = self.session.scalars(query).one_or_none()
        if row is None:
            return None
        job = _to_job(row)
        self._read[job.id] = copy.deepcopy(_job_values(job))  # a copy: the job's lists may change in place
        return job

    def save(self, job: Job) -> None:
        """Write the job only over the status it was read with: exactly one writer moves a job on. A job
        that did not change is not written (the sweep and every chunk's answer save the job they read)."""
        values = _job_values(job)
        if values == self._read.get(job.id):
            return
        moved = self.session.execute(update(JobRow).where(JobRow.id == job.id, JobRow.status == job.stored_status)
                                     .values(**values))
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
            raise Conflict("invalid_state", f"Import {job.id} was changed meanwhile; try again.", {"id": job.id})
        job.stored_status = job.status
        self._read[job.id] = copy.deepcopy(values)

    def ids_in(self, statuses: frozenset[Status]) -> list[str]:
        return list(self.session.scalars(select(JobRow.id).where(JobRow.status.in_([str(s) for s in statuses]))))

    def unstarted_created_before(self, moment: datetime) -> list[str]:
        """Jobs never started, created before `moment`: analysing, ready, or failed on their settings
        (those keep their file, see Job.keeps_file)."""
        with_file = JobRow.id.in_(select(FileBlockRow.job_id).where(FileBlockRow.seq == 0))
        return list(self.session.scalars(select(JobRow.id).where(
            JobRow.status.in_((Status.ANALYZING, Status.READY)) | ((JobRow.status == Status.FAILED) & with_file),
            JobRow.started_at.is_(None), JobRow.created_at < moment)))

    def finished_with_rows_before(self, moment: datetime, limit: int) -> list[str]:
        """Jobs finished before `moment` whose row results are still stored, the oldest first."""
        return list(self.session.scalars(select(JobRow.id).where(
            JobRow.status.in_([str(status) for status in FINISHED]), JobRow.finished_at < moment,
            JobRow.rows_deleted_at.is_(None)).order_by(JobRow.finished_at).limit(limit)))

    def list_jobs(self, kind=None, status=None, before=None, limit=100) -> list[Job]:
        query = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit)
        if kind:
            query = query.where(JobRow.kind == kind)
        if status:
            query = query.where(JobRow.status == status)
        if before:
            created_at, job_id = before
            created = datetime.fromisoformat(created_at)
            query = query.where((JobRow.created_at < created) | ((JobRow.created_at == created) & (JobRow.id < job_id)))
        return [_to_job(row) for row in self.session.scalars(query)]

    def delete(self, job_id: str) -> None:
        """A job and everything it holds: its file, its chunks with their rows."""
        self.delete_file(job_id)
        self.delete_chunks(job_id)
        self.session.execute(delete(JobRow).where(JobRow.id == job_id))

    # the uploaded file, sealed block by block
    def store_file(self, job_id: str, stream: BinaryIO, max_bytes: int) -> bool:
        size, seq = 0, 0
        while block := stream.read(BLOCK_BYTES):
            size += len(block)
            if size > max_bytes:
                return False
            sealed = self.sealer.seal(block, _block_context(job_id, seq))
            self.session.execute(insert(FileBlockRow), [{"job_id": job_id, "seq": seq, "data": sealed}])
            seq += 1
        return True

    def file_blocks(self, job_id: str) -> Iterator[bytes]:
        sequence = list(self.session.scalars(select(FileBlockRow.seq).where(FileBlockRow.job_id == job_id)
                                             .order_by(FileBlockRow.seq)))
        for seq in sequence:
            sealed = self.session.scalars(select(FileBlockRow.data).where(FileBlockRow.job_id == job_id,
                                                                         FileBlockRow.seq == seq)).one()
            yield self.sealer.open(sealed, _block_context(job_id, seq))

    def delete_file(self, job_id: str) -> None:
        self.session.execute(delete(FileBlockRow).where(FileBlockRow.job_id == job_id))

    # chunks
    def add_chunk(self, job: Job, chunk_no: int, rows: list[RowIn]) -> None:
        self.session.execute(insert(ChunkRow), [{
            "job_id": job.id, "generation": job.generation, "chunk_no": chunk_no, "row_count": len(rows),
            "rows": [vars(row) for row in rows], "attempts": 0,
            **{f"{prefix}_{action}": 0 for prefix in _COUNTS.values() for action in ACTIONS},
        }])

    def add_leavers_chunk(self, job: Job, chunk_no: int, file_keys: str) -> None:
        """The chunk of leavers: no rows until the users service has planned them from the file's keys."""
        self.add_chunk(job, chunk_no, [])
        self.session.execute(update(ChunkRow).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation, ChunkRow.chunk_no == chunk_no,
        ).values(file_keys=file_keys))

    def chunk_numbers(self, job_id: str) -> list[int]:
        return list(self.session.scalars(select(ChunkRow.chunk_no).where(ChunkRow.job_id == job_id)
                                         .order_by(ChunkRow.chunk_no)))

    def empty_row_results(self, job_id: str, chunk_numbers: list[int]) -> None:
        """Delete the stored rows and outcomes of these chunks; their counts stay, and an outcome that
        was answered stays answered (empty), so the job's progress and counts read as before."""
        these = (ChunkRow.job_id == job_id, ChunkRow.chunk_no.in_(chunk_numbers))
        self.session.execute(update(ChunkRow).where(*these).values(rows=[], file_keys=None))
        for outcome in (ChunkRow.plan, ChunkRow.result):
            self.session.execute(update(ChunkRow).where(*these, outcome.is_not(None)).values({outcome: []}))

    def delete_chunks(self, job_id: str) -> None:
        self.session.execute(delete(ChunkRow).where(ChunkRow.job_id == job_id))

    def take_chunks_to_send(self, job: Job, phase: Phase, window: int, timeout_seconds: float,
                            now: datetime) -> list[ChunkToSend]:
        outcome = getattr(ChunkRow, _OUTCOME[phase])
        mine = (ChunkRow.job_id == job.id, ChunkRow.generation == job.generation, outcome.is_(None))
        whole = ChunkRow.attempts < ROW_BY_ROW_ATTEMPT  # the delivery out now was sent whole
        patience = timedelta(seconds=timeout_seconds)
        overdue = ((whole & (ChunkRow.sent_at <= now - patience))
                   | (~whole & (ChunkRow.sent_at <= now - patience * ROW_BY_ROW_TIMEOUT_FACTOR)))
        in_flight = self._count(select(func.count()).select_from(ChunkRow).where(
            *mine, ChunkRow.sent_at.is_not(None), ~overdue))
        room = window - in_flight
        if room <= 0:
            return []
        query = (select(ChunkRow).where(*mine, (ChunkRow.sent_at.is_(None)) | overdue)
                 .options(defer(ChunkRow.plan), defer(ChunkRow.result), defer(ChunkRow.file_keys))
                 .order_by(ChunkRow.chunk_no).limit(room))
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        chunks = list(self.session.scalars(query))
        for chunk in chunks:
            chunk.sent_at, chunk.attempts = now, chunk.attempts + 1
        self.session.flush()
        leavers = job.leavers_chunk_no if phase is Phase.PREVIEW else None
        return [ChunkToSend(chunk.chunk_no, [RowIn(**row) for row in chunk.rows], chunk.attempts,
                            file_keys=chunk.file_keys if chunk.chunk_no == leavers else None) for chunk in chunks]

    def forget_sending(self, job: Job) -> None:
        """A new phase starts: no chunk of it has been sent yet."""
        self.session.execute(update(ChunkRow).where(ChunkRow.job_id == job.id, ChunkRow.generation == job.generation)
                             .values(sent_at=None))

    def send_again(self, job: Job, chunk_no: int) -> None:
        self.session.execute(update(ChunkRow).where(ChunkRow.job_id == job.id, ChunkRow.generation == job.generation,
                                                    ChunkRow.chunk_no == chunk_no).values(sent_at=None))

    def unanswered_chunks(self, job: Job, phase: Phase) -> int:
        outcome = getattr(ChunkRow, _OUTCOME[phase])
        return self._count(select(func.count()).select_from(ChunkRow).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation, outcome.is_(None)))

    def outcomes(self, job: Job, chunk_no: int) -> ChunkOutcomes | None:
        chunk = self._chunk(job, chunk_no, with_rows=False)  # recording an answer needs no row values
        return None if chunk is None else ChunkOutcomes(chunk_no, [], chunk.plan, chunk.result)

    def store_outcome(self, job: Job, chunk_no: int, phase: Phase, rows: list[dict],
                      rows_in: list[RowIn] | None = None) -> None:
        """The chunk's outcome in the phase and its counts; `rows_in` (the leavers' plan) become its rows."""
        counts = dict.fromkeys(ACTIONS, 0)
        for row in rows:
            counts[row["action"]] += 1
        prefix = _COUNTS[phase]
        # The leavers' plan: its rows are what applying archives; the file's keys are needed no more.
        also = {} if rows_in is None else {"rows": [vars(row) for row in rows_in], "file_keys": None}
        self.session.execute(update(ChunkRow).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation, ChunkRow.chunk_no == chunk_no,
        ).values({_OUTCOME[phase]: rows, **also,
                  **{f"{prefix}_{action}": count for action, count in counts.items()}}))

    def chunks_in_order(self, job: Job, from_chunk: int, action: str | None, phase: Phase) -> Iterator[ChunkOutcomes]:
        query = select(ChunkRow.chunk_no).where(ChunkRow.job_id == job.id, ChunkRow.generation == job.generation,
                                                ChunkRow.chunk_no >= from_chunk).order_by(ChunkRow.chunk_no)
        if action is not None:
            query = query.where(getattr(ChunkRow, f"{_COUNTS[phase]}_{action}") > 0)
        for chunk_no in list(self.session.scalars(query)):
            chunk = self._existing_chunk(job, chunk_no)
            yield ChunkOutcomes(chunk_no, chunk.rows, chunk.plan, chunk.result)

    def totals(self, job: Job) -> Totals:
        columns = [func.coalesce(func.sum(getattr(ChunkRow, f"{prefix}_{action}")), 0)
                   for prefix in _COUNTS.values() for action in ACTIONS]
        processed = func.coalesce(func.sum(ChunkRow.row_count).filter(ChunkRow.result.is_not(None)), 0)
        sums = self.session.execute(select(*columns, processed).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation)).one()
        width = len(ACTIONS)
        return Totals(planned=dict(zip(ACTIONS, map(int, sums[:width]), strict=True)),
                      done=dict(zip(ACTIONS, map(int, sums[width:2 * width]), strict=True)),
                      processed=int(sums[2 * width]))

    def forget_values(self, job: Job, fields: tuple[str, ...]) -> None:
        """Replace these fields' values by a mask in every stored row of the job: a finished job
        keeps no secrets, not even sealed ones."""
        numbers = list(self.session.scalars(select(ChunkRow.chunk_no).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation)))
        for chunk_no in numbers:
            chunk = self._existing_chunk(job, chunk_no, lock=True)
            chunk.rows = [{**row, "values": {name: MASK if name in fields and value else value
                                             for name, value in row["values"].items()}} for row in chunk.rows]
        self.session.flush()

    def _count(self, query) -> int:
        return int(self.session.scalar(query) or 0)

    def _existing_chunk(self, job: Job, chunk_no: int, lock: bool = False) -> ChunkRow:
        chunk = self._chunk(job, chunk_no, lock)
        if chunk is None:
            raise LookupError(f"chunk {chunk_no} of job {job.id} is gone")
        return chunk

    def _chunk(self, job: Job, chunk_no: int, lock: bool = False, with_rows: bool = True) -> ChunkRow | None:
        query = select(ChunkRow).where(ChunkRow.job_id == job.id, ChunkRow.generation == job.generation,
                                       ChunkRow.chunk_no == chunk_no)
        if not with_rows:
            query = query.options(defer(ChunkRow.rows))
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()


def _job_values(job: Job) -> dict:
    """The job's columns, but its id and creation time (which never change)."""
    return {
        "kind": job.kind.name, "status": str(job.status), "filename": job.filename, "settings": job.settings.to_dict(),
        "columns": job.columns, "sample_rows": job.sample_rows, "generation": job.generation,
        "total_rows": job.total_rows, "chunk_count": job.chunk_count, "start_when_ready": job.start_when_ready,
        "analysis_sent_at": job.analysis_sent_at, "analysis_attempts": job.analysis_attempts, "error": job.error,
        "created_by": job.created_by.code, "created_by_rights": sorted(job.created_by.rights),
        "started_by": job.started_by.code if job.started_by else None,
        "started_by_rights": sorted(job.started_by.rights) if job.started_by else None,
        "started_at": job.started_at, "finished_at": job.finished_at, "rows_deleted_at": job.rows_deleted_at,
        "active_students": job.active_students,
    }


def _to_job(row: JobRow) -> Job:
    status = Status(row.status)
    started_by = Actor(row.started_by, frozenset(row.started_by_rights or ())) if row.started_by else None
    return Job(id=row.id, kind=kind_named(row.kind), status=status, filename=row.filename,
               settings=ImportSettings(**row.settings),
               created_by=Actor(row.created_by, frozenset(row.created_by_rights or ())),
               created_at=row.created_at, generation=row.generation, start_when_ready=row.start_when_ready,
               columns=row.columns or [], sample_rows=row.sample_rows, total_rows=row.total_rows,
               chunk_count=row.chunk_count, analysis_sent_at=row.analysis_sent_at,
               analysis_attempts=row.analysis_attempts or 0, error=row.error,
               started_by=started_by, started_at=row.started_at, finished_at=row.finished_at,
               rows_deleted_at=row.rows_deleted_at, active_students=row.active_students, stored_status=status)


def _block_context(job_id: str, seq: int) -> bytes:
    return f"{job_id}:{seq}".encode()
