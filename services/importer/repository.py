"""Jobs, file blocks and chunks in SQL. Counts and progress are sums over chunk columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import BinaryIO, Iterator

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, defer

from services.importer.orm import ChunkRow, FileBlockRow, JobRow
from shared.messages import ACTIONS
from shared.sealing import MASK, Sealer

BLOCK_BYTES = 1024 * 1024


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SqlAlchemyImportRepository:
    def __init__(self, session: Session, sealer: Sealer):
        self.session = session
        self.sealer = sealer

    # jobs
    def add_job(self, job: JobRow) -> None:
        self.session.add(job)
        self.session.flush()

    def get_job(self, job_id: str, for_update: bool = False) -> JobRow | None:
        query = select(JobRow).where(JobRow.id == job_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def list_jobs(self, kind=None, status=None, before=None, limit=100) -> list[JobRow]:
        query = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit)
        if kind:
            query = query.where(JobRow.kind == kind)
        if status:
            query = query.where(JobRow.status == status)
        if before:
            created_at, job_id = before
            created = datetime.fromisoformat(created_at)
            query = query.where((JobRow.created_at < created) | ((JobRow.created_at == created) & (JobRow.id < job_id)))
        return list(self.session.scalars(query))

    def active_jobs(self) -> list[JobRow]:
        return list(self.session.scalars(select(JobRow).where(JobRow.status.in_(("analyzing", "queued", "running")))))

    def set_status(self, job_id: str, expected: tuple[str, ...], status: str, **values) -> bool:
        """Move a job on only if it is still in an expected status (exactly one caller wins)."""
        moved = self.session.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(expected)).values(status=status, **values)
        )
        return moved.rowcount == 1

    # the uploaded file
    def store_file(self, job_id: str, stream: BinaryIO, max_bytes: int) -> int:
        """Copy the upload into sealed blocks; returns its size, or -1 when it exceeds max_bytes."""
        size, seq = 0, 0
        while block := stream.read(BLOCK_BYTES):
            size += len(block)
            if size > max_bytes:
                return -1
            sealed = self.sealer.seal(block, _block_context(job_id, seq))
            self.session.execute(insert(FileBlockRow), [{"job_id": job_id, "seq": seq, "data": sealed}])
            seq += 1
        return size

    def file_blocks(self, job_id: str) -> Iterator[bytes]:
        sequence = list(self.session.scalars(select(FileBlockRow.seq).where(FileBlockRow.job_id == job_id)
                                             .order_by(FileBlockRow.seq)))
        for seq in sequence:
            sealed = self.session.scalar(select(FileBlockRow.data).where(FileBlockRow.job_id == job_id,
                                                                        FileBlockRow.seq == seq))
            yield self.sealer.open(sealed, _block_context(job_id, seq))

    def delete_file(self, job_id: str) -> None:
        self.session.execute(delete(FileBlockRow).where(FileBlockRow.job_id == job_id))

    def has_file(self, job_id: str) -> bool:
        return self.session.scalar(select(func.count()).select_from(FileBlockRow)
                                   .where(FileBlockRow.job_id == job_id)) > 0

    def delete_job(self, job_id: str) -> None:
        """A job and everything it holds: its file, its chunks with their rows."""
        self.delete_file(job_id)
        self.delete_chunks(job_id)
        self.session.execute(delete(JobRow).where(JobRow.id == job_id))

    def unstarted_jobs_created_before(self, moment: datetime) -> list[str]:
        return list(self.session.scalars(select(JobRow.id).where(
            JobRow.status.in_(("analyzing", "ready")), JobRow.started_at.is_(None), JobRow.created_at < moment)))

    # chunks
    def add_chunk(self, job_id: str, generation: int, chunk_no: int, rows: list[dict]) -> None:
        self.session.execute(insert(ChunkRow), [{
            "job_id": job_id, "generation": generation, "chunk_no": chunk_no, "row_count": len(rows),
            "rows": rows, "attempts": 0,
            **{f"{phase}_{action}": 0 for phase in ("planned", "done") for action in ACTIONS},
        }])

    def forget_values(self, job: JobRow, fields: tuple[str, ...]) -> None:
        """Replace these fields' values by a mask in every stored row of the job: a finished job
        keeps no secrets, not even sealed ones."""
        numbers = list(self.session.scalars(select(ChunkRow.chunk_no).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation)))
        for chunk_no in numbers:
            chunk = self.get_chunk(job.id, job.generation, chunk_no, for_update=True)
            chunk.rows = [{**row, "values": {name: MASK if name in fields and value else value
                                             for name, value in row["values"].items()}} for row in chunk.rows]
        self.session.flush()

    def delete_chunks(self, job_id: str) -> None:
        self.session.execute(delete(ChunkRow).where(ChunkRow.job_id == job_id))

    def get_chunk(self, job_id: str, generation: int, chunk_no: int, for_update: bool = False,
                  with_rows: bool = True) -> ChunkRow | None:
        query = select(ChunkRow).where(ChunkRow.job_id == job_id, ChunkRow.generation == generation,
                                       ChunkRow.chunk_no == chunk_no)
        if not with_rows:
            query = query.options(defer(ChunkRow.rows))  # recording an answer needs no row values
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def chunks_to_send(self, job: JobRow, phase: str, window: int, timeout_seconds: float) -> list[ChunkRow]:
        """Chunks of this phase without an answer that were never sent or whose answer is overdue,
        as many as fit in the window of chunks in flight."""
        outcome = ChunkRow.plan if phase == "plan" else ChunkRow.result
        mine = (ChunkRow.job_id == job.id, ChunkRow.generation == job.generation, outcome.is_(None))
        overdue = utcnow() - timedelta(seconds=timeout_seconds)
        in_flight = self.session.scalar(
            select(func.count()).select_from(ChunkRow).where(*mine, ChunkRow.sent_at > overdue))
        room = window - in_flight
        if room <= 0:
            return []
        query = (select(ChunkRow).where(*mine, (ChunkRow.sent_at.is_(None)) | (ChunkRow.sent_at <= overdue))
                 .options(defer(ChunkRow.plan), defer(ChunkRow.result))
                 .order_by(ChunkRow.chunk_no).limit(room))
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.session.scalars(query))

    def forget_sending(self, job: JobRow) -> None:
        """A new phase starts: no chunk of it has been sent yet."""
        self.session.execute(update(ChunkRow).where(ChunkRow.job_id == job.id, ChunkRow.generation == job.generation)
                             .values(sent_at=None))

    def unanswered_chunks(self, job: JobRow, phase: str) -> int:
        outcome = ChunkRow.plan if phase == "plan" else ChunkRow.result
        return self.session.scalar(select(func.count()).select_from(ChunkRow).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation, outcome.is_(None)))

    def totals(self, job: JobRow) -> tuple[dict[str, int], dict[str, int], int]:
        """(planned counts, done counts, rows with a result) over the job's current chunks."""
        columns = [func.coalesce(func.sum(getattr(ChunkRow, f"{phase}_{action}")), 0)
                   for phase in ("planned", "done") for action in ACTIONS]
        processed = func.coalesce(func.sum(ChunkRow.row_count).filter(ChunkRow.result.is_not(None)), 0)
        sums = self.session.execute(select(*columns, processed).where(
            ChunkRow.job_id == job.id, ChunkRow.generation == job.generation)).one()
        planned = dict(zip(ACTIONS, map(int, sums[:5])))
        done = dict(zip(ACTIONS, map(int, sums[5:10])))
        return planned, done, int(sums[10])

    def chunks_in_order(self, job: JobRow, from_chunk: int, action: str | None, phase: str) -> Iterator[ChunkRow]:
        query = select(ChunkRow).where(ChunkRow.job_id == job.id, ChunkRow.generation == job.generation,
                                       ChunkRow.chunk_no >= from_chunk).order_by(ChunkRow.chunk_no)
        if action is not None:
            prefix = "planned" if phase == "plan" else "done"
            query = query.where(getattr(ChunkRow, f"{prefix}_{action}") > 0)
        for chunk_no in list(self.session.scalars(query.with_only_columns(ChunkRow.chunk_no))):
            yield self.get_chunk(job.id, job.generation, chunk_no)


def _block_context(job_id: str, seq: int) -> bytes:
    return f"{job_id}:{seq}".encode()
