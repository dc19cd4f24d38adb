"""What the importer does, one short function per step; each is one unit of work, passed in.

The job's life is written in `domain.Job`; a handler loads the job, asks it to take the step,
does the reading, storing and sending the step needs, and saves it. `_move_on` is the one place
that decides what follows any step: begin running a queued job, send the chunks its phase still
needs (a window of them, resending overdue ones), or end the phase once every chunk has answered.
"""

from __future__ import annotations

import csv
import errno
import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

from services.importer import analysis, domain
from services.importer.domain import IN_MOTION, Job, Phase, Status
from services.importer.ports import UnitOfWork
from services.importer.representation import job_representation, notes_in_language, row_results, shown_counts
from shared import audit, catalogue
from shared.audit import AuditEntry
from shared.clock import utcnow
from shared.collection_pause import collect_young
from shared.csvfile import FileProblem
from shared.errors import PayloadTooLarge
from shared.failures import INFRASTRUCTURE_ERRORS
from shared.messages import ANALYZE_IMPORT, IMPORTER_QUEUE, Chunk, ChunkResult, RowIn
from shared.policy import Actor
from shared.sealing import Sealer
from shared.spreadsheet import safe_cell

log = logging.getLogger(__name__)

WINDOW = 8  # chunks in flight per job: enough to keep every worker busy, bounded for cancel
# Deleting the row results of finished jobs (the retention): this many chunks (up to 100,000 rows) per
# transaction, and this many jobs per sweep, so that no sweep spends long on old jobs.
EXPIRED_CHUNKS_PER_TRANSACTION = 50
EXPIRED_JOBS_PER_SWEEP = 5


@dataclass(frozen=True)
class Timing:
    chunk_timeout_seconds: float = 60.0
    retention_hours: float = 24.0  # a job never started is discarded, with its file, after this
    row_retention_days: float = 30.0  # a finished job's row results are deleted after this; it stays

    @property
    def analysis_timeout_seconds(self) -> float:
        return self.chunk_timeout_seconds * 3


def create_job(uow: UnitOfWork, kind_name: str | None, filename: str, stream: BinaryIO, options: dict[str, Any],
               actor: Actor, max_bytes: int) -> dict[str, Any]:
    job = Job.upload(domain.kind_named(kind_name), filename, options, actor, utcnow())
    with uow:
        uow.jobs.add(job)
        if not uow.jobs.store_file(job.id, stream, max_bytes):
            raise PayloadTooLarge("payload_too_large", f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        uow.send_after_commit(ANALYZE_IMPORT, IMPORTER_QUEUE, job.id, job.generation)
        if job.start_when_ready:
            _record(uow, audit.IMPORT_STARTED, actor, job)
        return _commit_and_show(uow, job)


def change_settings(uow: UnitOfWork, job_id: str, options: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """PATCH: new settings for a ready job (or one that failed on its settings); it is analysed again
    from its file, unless only the threshold of leavers moved."""
    with uow:
        job = _job(uow, job_id, lock=True)
        if not job.change_settings(options, actor, utcnow()):
            uow.jobs.save(job)
            return _commit_and_show(uow, job)
        uow.jobs.delete_chunks(job.id)
        uow.jobs.save(job)
        uow.send_after_commit(ANALYZE_IMPORT, IMPORTER_QUEUE, job.id, job.generation)
        if job.start_when_ready:
            _record(uow, audit.IMPORT_STARTED, actor, job)
        return _commit_and_show(uow, job)


def delete_job(uow: UnitOfWork, job_id: str, actor: Actor) -> None:
    """DELETE: a job that is not being applied goes, with its file and its row results."""
    with uow:
        job = _job(uow, job_id, lock=True)
        job.discard(actor)
        _record(uow, audit.IMPORT_DELETED, actor, job, {"status": str(job.status)})
        uow.jobs.delete(job.id)
        uow.commit()


def analyze_job(uow: UnitOfWork, job_id: str, generation: int, timing: Timing) -> None:
    """Read the file into chunks and send each for a preview; a file problem fails the job. Any other
    error is tried again, MAX_ANALYSIS_ATTEMPTS times in all, then fails the job (analysis_failed);
    an infrastructure error is raised, and the sweep sends the analysis again (counted too)."""
    try:
        _analyze(uow, job_id, generation, timing)
    except INFRASTRUCTURE_ERRORS:
        raise
    except OSError as error:  # the worker's own disk, not the database (whose errors are the infrastructure's)
        log.exception("The analysis of import %s could not use the worker's disk", job_id)
        _analysis_raised(uow, job_id, generation, _disk_failure(error), _disk_failure_code(error))
    except Exception as error:
        log.exception("The analysis of import %s raised", job_id)
        _analysis_raised(uow, job_id, generation, f"the importer failed on it ({type(error).__name__})")


def _analyze(uow: UnitOfWork, job_id: str, generation: int, timing: Timing) -> None:
    with uow:
        job = uow.jobs.get(job_id, lock=True)
        if job is None or not job.awaits_analysis(generation):
            return
        if job.chunk_count is None:
            try:
                _read_file(uow, job)
            except FileProblem as problem:
                uow.jobs.delete_chunks(job.id)
                job.fail(problem, utcnow())
                _save(uow, job)
                uow.commit()
                return
        _move_on(uow, job, timing)
        _save(uow, job)
        uow.commit()


def _disk_failure(error: OSError) -> str:
    return os.strerror(error.errno) if error.errno else type(error).__name__


def _disk_failure_code(error: OSError) -> str:
    return domain.STORAGE_FULL if error.errno in (errno.ENOSPC, errno.EDQUOT) else domain.STORAGE_FAILED


def _analysis_raised(uow: UnitOfWork, job_id: str, generation: int, what: str,
                     code: str = domain.ANALYSIS_FAILED) -> None:
    """In a transaction of its own (the analysis' one is rolled back): send the analysis again, or
    fail the job (with `code`) once it has had its tries."""
    with uow:
        job = uow.jobs.get(job_id, lock=True)
        if job is None or not job.awaits_analysis(generation) or job.chunk_count is not None:
            return
        uow.jobs.delete_chunks(job.id)
        if job.analysis_went_wrong(what, utcnow(), code):
            uow.send_after_commit(ANALYZE_IMPORT, IMPORTER_QUEUE, job.id, job.generation)
        _save(uow, job)
        uow.commit()


def record_chunk_result(uow: UnitOfWork, result: ChunkResult, timing: Timing) -> None:
    """Keep a chunk's first answer in its phase; move the job on when all are in. Answers for an
    older generation are dropped; answers that come after a cancel are still kept."""
    phase = Phase.PREVIEW if result.dry_run else Phase.APPLY
    with uow:
        # The job's row lock serializes every writer of its chunks' outcomes too.
        job = uow.jobs.get(result.job_id, lock=True)
        if job is None or job.generation != result.generation:
            return
        chunk = uow.jobs.outcomes(job, result.chunk_no)
        if chunk is None:
            return
        if result.problem is not None:
            if job.status in IN_MOTION:
                job.fail(FileProblem(result.problem["code"], result.problem["message"], result.problem.get("params")),
                         utcnow())
                _save(uow, job)
                uow.commit()
            return
        answered = (chunk.preview if phase is Phase.PREVIEW else chunk.applied) is not None
        if result.failure is not None:
            # The service raised on the chunk: send it again at once (from ROW_BY_ROW_ATTEMPT on, its
            # rows are decided one by one, so a row that keeps failing fails alone).
            if not answered and job.phase is phase:
                uow.jobs.send_again(job, result.chunk_no)
                _move_on(uow, job, timing)
                _save(uow, job)
            uow.commit()
            return
        if not answered:
            rows = [row.to_dict() for row in result.rows]
            if phase is Phase.APPLY:
                domain.explain_changes_since_preview(chunk.preview, rows)
            if phase is Phase.PREVIEW and result.chunk_no == job.leavers_chunk_no:
                _store_leavers_plan(uow, job, result, rows)
            else:
                uow.jobs.store_outcome(job, result.chunk_no, phase, rows)
        if job.phase is phase:
            _move_on(uow, job, timing)
            _save(uow, job)
        uow.commit()


def _store_leavers_plan(uow: UnitOfWork, job: Job, result: ChunkResult, rows: list[dict]) -> None:
    """The leavers the users service found: they become the rows of the leavers chunk (applied as
    planned: the preview is the outcome), and the active students the threshold is a share of."""
    leavers = [RowIn(domain.LEAVER_LINE, row.pop("values", None) or {}) for row in rows]
    uow.jobs.store_outcome(job, result.chunk_no, Phase.PREVIEW, rows, rows_in=leavers)
    job.active_students = int((result.facts or {}).get("active", 0))


def start_job(uow: UnitOfWork, job_id: str, timing: Timing, actor: Actor) -> dict[str, Any]:
    with uow:
        job = _job(uow, job_id, lock=True)
        job.start(actor, _archive_count(uow, job))
        _record(uow, audit.IMPORT_STARTED, actor, job)
        _move_on(uow, job, timing)
        _save(uow, job)
        return _commit_and_show(uow, job)


def cancel_job(uow: UnitOfWork, job_id: str, actor: Actor | None = None) -> dict[str, Any]:
    with uow:
        job = _job(uow, job_id, lock=True)
        job.cancel(utcnow())
        _record(uow, audit.IMPORT_CANCELLED, actor or Actor("", frozenset()), job,
                {"counts": shown_counts(job, uow.jobs.totals(job).done)})
        _save(uow, job)
        return _commit_and_show(uow, job)


def sweep(uow: UnitOfWork, timing: Timing) -> int:
    """Move every job in motion on: resend overdue analyses and chunks, start queued jobs, complete
    jobs whose last answer came in; discard jobs never started within the retention time, and the
    row results of jobs finished longer than theirs ago. Safe to run anywhere, any number of times."""
    _discard_unstarted(uow, timing)
    _expire_row_results(uow, timing)
    with uow.reading():
        moving = uow.jobs.ids_in(IN_MOTION)
    for job_id in moving:
        with uow:
            # A job another transaction holds (an analysis reading a big file, a chunk's answer) is
            # being moved on already; waiting for it would hold up every job after it.
            job = uow.jobs.get(job_id, lock=True, skip_locked=True)
            if job is None or job.status not in IN_MOTION:
                continue
            if job.analysis_overdue(utcnow(), timing.analysis_timeout_seconds):
                if job.analysis_went_wrong("no importer worker finished it in time", utcnow()):
                    uow.send_after_commit(ANALYZE_IMPORT, IMPORTER_QUEUE, job.id, job.generation)
            elif job.chunk_count is not None:
                _move_on(uow, job, timing)
            _save(uow, job)
            uow.commit()
    return len(moving)


def get_job(uow: UnitOfWork, job_id: str) -> dict[str, Any]:
    with uow.reading():
        job = _job(uow, job_id)
        return job_representation(job, uow.jobs.totals(job))


def list_jobs(uow: UnitOfWork, kind=None, status=None, before=None, limit=100) -> list[dict[str, Any]]:
    with uow.reading():
        jobs = uow.jobs.list_jobs(kind, status, before, limit)
        return [job_representation(job, uow.jobs.totals(job)) for job in jobs]


def require_rows(uow: UnitOfWork, job_id: str) -> None:
    """Raises what reading the job's rows would: 404 for no such job, 410 once its rows were deleted."""
    with uow.reading():
        _job(uow, job_id).require_rows()


def list_rows(uow: UnitOfWork, job_id: str, action: str | None, after: tuple[int, int] | None, limit: int):
    """Row results in file order from the cursor (chunk_no, index); returns (rows, next cursor)."""
    with uow.reading():
        job = _job(uow, job_id)
        job.require_rows()
        rows: list[dict] = []
        start_chunk, start_index = after or (0, 0)
        for chunk in uow.jobs.chunks_in_order(job, start_chunk, action, job.shown_phase):
            for index, row in enumerate(row_results(chunk, job.shown_phase, job.kind.secret_fields)):
                if (chunk.chunk_no, index) < (start_chunk, start_index) or row is None:
                    continue
                if action is None or row["action"] == action:
                    if len(rows) == limit:
                        return rows, (chunk.chunk_no, index)
                    rows.append(row)
        return rows, None


def errors_csv(uow: UnitOfWork, job_id: str, lang: str = catalogue.DEFAULT_LANGUAGE) -> Iterator[str]:
    """The rows that went wrong (error, skip) as a semicolon CSV, safe to open in a spreadsheet; its
    messages in `lang` (the header is the contract's, in every language)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["line", "code", "action", "message"])
    yield "\ufeff" + flush()
    with uow.reading():
        job = _job(uow, job_id)
        job.require_rows()
        for chunk in uow.jobs.chunks_in_order(job, 0, None, job.shown_phase):
            for row in row_results(chunk, job.shown_phase, job.kind.secret_fields):
                if row is not None and row["action"] in ("error", "skip"):
                    writer.writerow([row["line"], safe_cell(row["values"].get(job.kind.key_field, "")),
                                     row["action"], safe_cell(" ".join(notes_in_language(row["messages"], lang)))])
            yield flush()


def _move_on(uow: UnitOfWork, job: Job, timing: Timing) -> None:
    """What the job's status asks for next: a queued job begins running; a phase with chunks still
    unanswered sends what fits in the window (overdue ones again); a phase whose chunks have all
    answered ends (ready after the preview, completed after the apply)."""
    if job.status is Status.QUEUED:
        job.begin_running(utcnow())
        uow.jobs.forget_sending(job)
    phase = job.phase
    if phase is None:
        return
    if uow.jobs.unanswered_chunks(job, phase) == 0:
        job.phase_answered(utcnow(), _archive_count(uow, job))
        if job.status is Status.QUEUED:  # started with the upload, its leavers under the threshold
            _move_on(uow, job, timing)
        return
    options, actor = job.chunk_options(), job.actor_for(phase).to_dict()
    gave_up = False
    for chunk in uow.jobs.take_chunks_to_send(job, phase, WINDOW, timing.chunk_timeout_seconds, utcnow()):
        leavers = chunk.chunk_no == job.leavers_chunk_no
        if chunk.attempt > domain.MAX_CHUNK_SENDS:
            if leavers and phase is Phase.PREVIEW:
                # Nobody could say who has left: no preview to start from.
                job.fail(FileProblem(domain.NO_ANSWER, "No answer came on which students have left after "
                                                       f"{domain.MAX_CHUNK_SENDS} attempts; try again later."),
                         utcnow())
                return
            # Sent that often without an answer (a worker that dies on it, an outage that lasts): the
            # job does not wait for ever; its rows say that their outcome is unknown.
            uow.jobs.store_outcome(job, chunk.chunk_no, phase, domain.unanswered_rows(chunk.rows, phase))
            gave_up = True
            continue
        message = Chunk(job.id, job.generation, chunk.chunk_no, phase is Phase.PREVIEW,
                        {**options, "file_keys": chunk.file_keys} if leavers else options, chunk.rows,
                        actor=actor, attempt=chunk.attempt)
        task = job.kind.leavers_task if leavers and job.kind.leavers_task else job.kind.task
        uow.send_after_commit(task, job.kind.queue, message.to_message())
    if gave_up and uow.jobs.unanswered_chunks(job, phase) == 0:
        job.phase_answered(utcnow(), _archive_count(uow, job))


def _archive_count(uow: UnitOfWork, job: Job) -> int:
    """The leavers the preview would archive (0 without archive_missing: no query)."""
    return uow.jobs.totals(job).planned["archive"] if job.settings.archive_missing else 0


def _read_file(uow: UnitOfWork, job: Job) -> None:
    """The analysis: the file's rows into stored chunks (secret cells sealed), its layout into the job."""

    def store_chunk(chunk_no: int, rows: list[RowIn]) -> None:
        _seal_secrets(rows, job.kind.secret_fields, uow.sealer)
        uow.jobs.add_chunk(job, chunk_no, rows)
        # The analysis task holds the cyclic collector off (each chunk's rows live until stored: it
        # walked them again and again); run on what is new after each chunk, memory stays flat.
        collect_young()

    with uow.seen_keys() as keys:
        try:
            layout = analysis.analyze(lambda: uow.jobs.file_blocks(job.id), job.settings, job.kind, store_chunk, keys)
            if job.settings.archive_missing:
                # One more chunk: the active students whose code is not among the file's, planned by
                # the users service from the file's codes (sorted, one per line: one text, not a list).
                uow.jobs.add_leavers_chunk(job, layout.chunk_count, "\n".join(keys.sorted_keys()))
                layout.chunk_count += 1
        except (KeyError, IndexError):
            raise  # lookup errors, but a fault of the code, not an unknown codec: tried again, then analysis_failed
        except (UnicodeError, LookupError) as error:
            # The file (or the encoding the settings force on it) cannot be decoded: trying again reads
            # the same bytes, so the job fails and says why instead of being analysed for ever.
            raise FileProblem("undecodable_file", f"The file cannot be read as {job.settings.encoding or 'text'}: "
                                                  f"{error}. Choose another encoding.",
                              {"encoding": job.settings.encoding}) from None
        except csv.Error as error:
            raise FileProblem("malformed_csv", f"The file is not valid CSV: {error}.") from None
    job.analysed(layout.encoding, layout.delimiter, layout.columns, layout.sample_rows, layout.total_rows,
                 layout.chunk_count)


def _save(uow: UnitOfWork, job: Job) -> None:
    """Write the job; one that ends here lets its file and its rows' sealed secrets go."""
    ending = job.ends_now
    if ending and job.status is Status.COMPLETED:
        # Done by the system for whoever started it: no request, so no client address.
        _record(uow, audit.IMPORT_COMPLETED, Actor(job.actor_for(Phase.APPLY).code, frozenset()), job,
                {"counts": shown_counts(job, uow.jobs.totals(job).done), "total_rows": job.total_rows})
    uow.jobs.save(job)
    if ending and not job.keeps_file:
        uow.jobs.delete_file(job.id)
        if job.keeps_secrets:
            uow.jobs.forget_values(job, job.kind.secret_fields)


def _discard_unstarted(uow: UnitOfWork, timing: Timing) -> None:
    """An upload nobody starts is not kept: after the retention time it goes, with its file.
    Looks first without writing (on SQLite a write transaction every sweep would hold up imports)."""
    cutoff = utcnow() - timedelta(hours=timing.retention_hours)
    with uow.reading():
        expired = uow.jobs.unstarted_created_before(cutoff)
    for job_id in expired:
        with uow:
            job = uow.jobs.get(job_id, lock=True, skip_locked=True)
            if job is not None and job.started_at is None and \
                    (job.status in (Status.ANALYZING, Status.READY) or job.failed_on_settings):
                uow.jobs.delete(job_id)
            uow.commit()


def _expire_row_results(uow: UnitOfWork, timing: Timing) -> None:
    """The row results of a job finished longer than the row retention ago are deleted, a bounded
    number of chunks per transaction; then the job is marked (its rows answer 410 from then on), so
    one cut short is found again and finished by a later sweep. Its counts stay."""
    cutoff = utcnow() - timedelta(days=timing.row_retention_days)
    with uow.reading():
        expired = uow.jobs.finished_with_rows_before(cutoff, EXPIRED_JOBS_PER_SWEEP)
    for job_id in expired:
        with uow.reading():
            numbers = uow.jobs.chunk_numbers(job_id)
        for start in range(0, len(numbers), EXPIRED_CHUNKS_PER_TRANSACTION):
            with uow:
                uow.jobs.empty_row_results(job_id, numbers[start:start + EXPIRED_CHUNKS_PER_TRANSACTION])
                uow.commit()
        with uow:
            job = uow.jobs.get(job_id, lock=True, skip_locked=True)
            if job is not None and job.rows_deleted_at is None:
                job.rows_expire(utcnow())
                uow.jobs.save(job)
            uow.commit()


def _seal_secrets(rows: list[RowIn], secret_fields: tuple[str, ...], sealer: Sealer) -> None:
    """Secret cells (passwords) are stored and sent sealed; only the service applying them opens them."""
    for row in rows:
        for name in secret_fields:
            if row.values.get(name, "").strip():
                row.values[name] = sealer.seal_text(row.values[name])


def _commit_and_show(uow: UnitOfWork, job: Job) -> dict[str, Any]:
    """Commit the unit of work and answer the job as it now is."""
    view = job_representation(job, uow.jobs.totals(job))
    uow.commit()
    return view


def _job(uow: UnitOfWork, job_id: str, lock: bool = False) -> Job:
    job = uow.jobs.get(job_id, lock=lock)
    if job is None:
        raise domain.job_not_found(job_id)
    return job


def _record(uow: UnitOfWork, action: str, actor: Actor, job: Job, details: dict[str, Any] | None = None) -> None:
    uow.audit.add(AuditEntry.new(action, actor.code, job.id, {"kind": job.kind.name, "filename": job.filename,
                                                               **(details or {})}, client=actor.client))
