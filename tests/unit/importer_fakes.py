"""Hand-written fakes of the importer's persistence and sender, for handler tests without I/O."""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.importer.analysis import SeenKeysInMemory
from services.importer.domain import FINISHED, ROW_BY_ROW_TIMEOUT_FACTOR, Job, Phase, Status
from services.importer.ports import ChunkOutcomes, ChunkToSend, Totals
from shared.errors import Conflict
from shared.messages import ACTIONS, ROW_BY_ROW_ATTEMPT, RowIn
from shared.sealing import Sealer
from tests.unit.fakes import FakeAuditTrail

SECRET = "importer-unit-test-secret-0123456789"


@dataclass
class FakeChunk:
    rows: list[dict]
    preview: list[dict] | None = None
    applied: list[dict] | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    file_keys: str | None = None

    def outcome(self, phase: Phase) -> list[dict] | None:
        return self.preview if phase is Phase.PREVIEW else self.applied


class FakeJobRepository:
    def __init__(self):
        self.jobs: dict[str, Job] = {}
        self.files: dict[str, bytes] = {}
        self.chunks: dict[tuple[str, int, int], FakeChunk] = {}

    def add(self, job):
        self.jobs[job.id] = copy.deepcopy(job)
        job.stored_status = job.status

    def get(self, job_id, lock=False, skip_locked=False):
        job = copy.deepcopy(self.jobs.get(job_id))
        if job is not None:
            job.stored_status = job.status
        return job

    def save(self, job):
        if self.jobs[job.id].status != job.stored_status:
            raise Conflict("invalid_state", "changed meanwhile")
        self.jobs[job.id] = copy.deepcopy(job)
        job.stored_status = job.status

    def ids_in(self, statuses):
        return [job.id for job in self.jobs.values() if job.status in statuses]

    def unstarted_created_before(self, moment):
        return [job.id for job in self.jobs.values()
                if (job.status in (Status.ANALYZING, Status.READY) or (job.status is Status.FAILED
                                                                       and job.id in self.files))
                and job.started_at is None and job.created_at < moment]

    def finished_with_rows_before(self, moment, limit):
        finished = sorted((job for job in self.jobs.values() if job.status in FINISHED
                           and job.finished_at < moment and job.rows_deleted_at is None),
                          key=lambda job: job.finished_at)
        return [job.id for job in finished[:limit]]

    def list_jobs(self, kind=None, status=None, before=None, limit=100):
        return sorted(self.jobs.values(), key=lambda job: job.created_at, reverse=True)[:limit]

    def delete(self, job_id):
        self.jobs.pop(job_id, None)
        self.delete_file(job_id)
        self.delete_chunks(job_id)

    def store_file(self, job_id, stream, max_bytes):
        content = stream.read()
        if len(content) > max_bytes:
            return False
        self.files[job_id] = content
        return True

    def file_blocks(self, job_id):
        yield self.files[job_id]

    def delete_file(self, job_id):
        self.files.pop(job_id, None)

    def add_chunk(self, job, chunk_no, rows):
        self.chunks[(job.id, job.generation, chunk_no)] = FakeChunk([copy.deepcopy(vars(row)) for row in rows])

    def add_leavers_chunk(self, job, chunk_no, file_keys):
        self.chunks[(job.id, job.generation, chunk_no)] = FakeChunk([], file_keys=file_keys)

    def chunk_numbers(self, job_id):
        return sorted(no for (owner, _, no) in self.chunks if owner == job_id)

    def empty_row_results(self, job_id, chunk_numbers):
        for (owner, _, no), chunk in self.chunks.items():
            if owner == job_id and no in chunk_numbers:
                chunk.rows = []
                chunk.preview = None if chunk.preview is None else []
                chunk.applied = None if chunk.applied is None else []

    def delete_chunks(self, job_id):
        self.chunks = {key: chunk for key, chunk in self.chunks.items() if key[0] != job_id}

    def take_chunks_to_send(self, job, phase, window, timeout_seconds, now):
        mine = sorted((no, chunk) for (job_id, generation, no), chunk in self.chunks.items()
                      if (job_id, generation) == (job.id, job.generation) and chunk.outcome(phase) is None)
        def overdue(chunk):
            factor = 1 if chunk.attempts < ROW_BY_ROW_ATTEMPT else ROW_BY_ROW_TIMEOUT_FACTOR
            return chunk.sent_at <= now - timedelta(seconds=timeout_seconds * factor)

        in_flight = sum(1 for _, chunk in mine if chunk.sent_at is not None and not overdue(chunk))
        due = [(no, chunk) for no, chunk in mine if chunk.sent_at is None or overdue(chunk)]
        taken = due[:max(0, window - in_flight)]
        for _, chunk in taken:
            chunk.sent_at, chunk.attempts = now, chunk.attempts + 1
        leavers = job.leavers_chunk_no if phase is Phase.PREVIEW else None
        return [ChunkToSend(no, [RowIn(**copy.deepcopy(row)) for row in chunk.rows], chunk.attempts,
                            file_keys=chunk.file_keys if no == leavers else None)
                for no, chunk in taken]

    def forget_sending(self, job):
        for (job_id, generation, _), chunk in self.chunks.items():
            if (job_id, generation) == (job.id, job.generation):
                chunk.sent_at = None

    def send_again(self, job, chunk_no):
        self.chunks[(job.id, job.generation, chunk_no)].sent_at = None

    def unanswered_chunks(self, job, phase):
        return sum(1 for chunk in self._current(job).values() if chunk.outcome(phase) is None)

    def outcomes(self, job, chunk_no):
        chunk = self.chunks.get((job.id, job.generation, chunk_no))
        return None if chunk is None else ChunkOutcomes(chunk_no, [], chunk.preview, chunk.applied)

    def store_outcome(self, job, chunk_no, phase, rows, rows_in=None):
        chunk = self.chunks[(job.id, job.generation, chunk_no)]
        if rows_in is not None:
            chunk.rows = [copy.deepcopy(vars(row)) for row in rows_in]
        if phase is Phase.PREVIEW:
            chunk.preview = copy.deepcopy(rows)
        else:
            chunk.applied = copy.deepcopy(rows)

    def chunks_in_order(self, job, from_chunk, action, phase):
        for no, chunk in sorted(self._current(job).items()):
            if no >= from_chunk:
                yield ChunkOutcomes(no, chunk.rows, chunk.preview, chunk.applied)

    def totals(self, job):
        def count(phase):
            counts = dict.fromkeys(ACTIONS, 0)
            for chunk in self._current(job).values():
                for row in chunk.outcome(phase) or []:
                    counts[row["action"]] += 1
            return counts

        processed = sum(len(chunk.rows) for chunk in self._current(job).values() if chunk.applied is not None)
        return Totals(count(Phase.PREVIEW), count(Phase.APPLY), processed)

    def forget_values(self, job, fields):
        for chunk in self._current(job).values():
            for row in chunk.rows:
                row["values"] = {name: "********" if name in fields and value else value
                                 for name, value in row["values"].items()}

    def _current(self, job) -> dict[int, FakeChunk]:
        return {no: chunk for (job_id, generation, no), chunk in self.chunks.items()
                if (job_id, generation) == (job.id, job.generation)}


class FakeUnitOfWork:
    """Keeps committed state; sends its messages only after a commit, as the real one does."""

    def __init__(self):
        self.jobs = FakeJobRepository()
        self.audit = FakeAuditTrail()
        self.sealer = Sealer(SECRET)
        self.sent: list[tuple[str, str, list]] = []
        self._outgoing: list[tuple[str, str, list]] = []

    def reading(self):
        return self

    def __enter__(self):
        self._snapshot = copy.deepcopy((self.jobs.jobs, self.jobs.files, self.jobs.chunks))
        self._outgoing = []
        return self

    def __exit__(self, *exc_info):
        if self._snapshot is not None:
            self.jobs.jobs, self.jobs.files, self.jobs.chunks = self._snapshot
        self._outgoing = []

    def commit(self):
        self._snapshot = None
        self.sent.extend(self._outgoing)
        self._outgoing = []

    def send_after_commit(self, task, queue, *args):
        self._outgoing.append((task, queue, list(args)))

    @contextmanager
    def seen_keys(self):
        yield SeenKeysInMemory()
