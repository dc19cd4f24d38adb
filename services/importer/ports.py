"""What the importer's handlers need from the outside world, as types: the unit of work and the
job repository. SQLAlchemy implements them in uow.py and repository.py; the unit tests' fakes too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from services.importer.analysis import SeenKeys
from services.importer.domain import Job, Phase, Status
from shared.messages import RowIn
from shared.ports import AuditTrail
from shared.sealing import Sealer


@dataclass(frozen=True)
class Totals:
    """Counts per action over a job's current chunks, and how many rows have been applied."""

    planned: dict[str, int]
    done: dict[str, int]
    processed: int


@dataclass(frozen=True)
class ChunkToSend:
    chunk_no: int
    rows: list[RowIn]
    attempt: int = 1  # how often it has been sent, this time included
    file_keys: str | None = None  # the leavers chunk in the preview: the file's keys, sorted, one per line


@dataclass(frozen=True)
class ChunkOutcomes:
    """A chunk's stored rows with their preview and apply outcomes (None: not answered yet)."""

    chunk_no: int
    rows: list[dict]
    preview: list[dict] | None
    applied: list[dict] | None


class JobRepository(Protocol):
    def add(self, job: Job) -> None: ...
    def get(self, job_id: str, lock: bool = False, skip_locked: bool = False) -> Job | None: ...
    def save(self, job: Job) -> None:
        """Write the job, only over the status it was read with (else Conflict invalid_state)."""
    def ids_in(self, statuses: frozenset[Status]) -> list[str]: ...
    def unstarted_created_before(self, moment: datetime) -> list[str]: ...
    def finished_with_rows_before(self, moment: datetime, limit: int) -> list[str]: ...
    def list_jobs(self, kind: str | None, status: str | None, before: tuple[str, str] | None,
                  limit: int) -> list[Job]: ...
    def delete(self, job_id: str) -> None: ...

    def store_file(self, job_id: str, stream: BinaryIO, max_bytes: int) -> bool:
        """Store the upload sealed; False when it is larger than max_bytes."""
    def file_blocks(self, job_id: str) -> Iterator[bytes]: ...
    def delete_file(self, job_id: str) -> None: ...

    def add_chunk(self, job: Job, chunk_no: int, rows: list[RowIn]) -> None: ...
    def delete_chunks(self, job_id: str) -> None: ...
    def chunk_numbers(self, job_id: str) -> list[int]: ...
    def empty_row_results(self, job_id: str, chunk_numbers: list[int]) -> None: ...
    def take_chunks_to_send(self, job: Job, phase: Phase, window: int, timeout_seconds: float,
                            now: datetime) -> list[ChunkToSend]:
        """Chunks of the phase without an answer, never sent or overdue, as many as fit beside
        those in flight; marked as sent now."""
    def forget_sending(self, job: Job) -> None: ...
    def send_again(self, job: Job, chunk_no: int) -> None:
        """The chunk failed: it is due again now (its attempts are kept)."""
    def unanswered_chunks(self, job: Job, phase: Phase) -> int: ...
    def outcomes(self, job: Job, chunk_no: int) -> ChunkOutcomes | None: ...
    def store_outcome(self, job: Job, chunk_no: int, phase: Phase, rows: list[dict],
                      rows_in: list[RowIn] | None = None) -> None: ...
    def add_leavers_chunk(self, job: Job, chunk_no: int, file_keys: str) -> None: ...
    def chunks_in_order(self, job: Job, from_chunk: int, action: str | None,
                        phase: Phase) -> Iterator[ChunkOutcomes]: ...
    def totals(self, job: Job) -> Totals: ...
    def forget_values(self, job: Job, fields: tuple[str, ...]) -> None: ...


class Sender(Protocol):
    def send(self, task: str, queue: str, args: list) -> None: ...


class UnitOfWork(Protocol):
    jobs: JobRepository
    sealer: Sealer
    audit: AuditTrail

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc_info) -> None: ...
    def reading(self) -> UnitOfWork: ...
    def commit(self) -> None: ...
    def send_after_commit(self, task: str, queue: str, *args) -> None: ...
    def seen_keys(self) -> AbstractContextManager[SeenKeys]:
        """Where an analysis remembers the keys it has seen (a throwaway file, or memory in tests)."""
