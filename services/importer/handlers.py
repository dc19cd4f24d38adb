"""What the importer does, one short function per step; the unit of work is passed in.

A job's life: create (file stored, analysis sent) → analyze (file read into chunks, each chunk
sent for a dry run) → record each plan → ready (or straight on with start=true) → start → queued
→ running (chunks sent in a window) → record each result → completed. `sweep` resends whatever
went unanswered too long, so a lost message or a killed worker never leaves a job hanging.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, Iterator

from services.importer import analysis, domain
from services.importer.domain import (
    ACTIVE, ANALYZING, CANCELLED, COMPLETED, FAILED, QUEUED, READY, RUNNING, ImportSettings,
)
from services.importer.keys import ScratchKeys
from services.importer.orm import JobRow
from services.importer.repository import utcnow
from services.importer.representation import job_representation
from shared import policy
from shared.csvfile import FileProblem
from shared.errors import PayloadTooLarge
from shared.messages import ACTIONS, IMPORTER_QUEUE, Chunk, ChunkResult, RowIn
from shared.policy import Actor
from shared.sealing import MASK
from shared.spreadsheet import safe_cell

ANALYZE_TASK = "importer.analyze"
WINDOW = 8  # chunks in flight per job: enough to keep every worker busy, bounded for cancel


@dataclass(frozen=True)
class Timing:
    chunk_timeout_seconds: float = 60.0
    retention_hours: float = 24.0  # a job never started is discarded, with its file, after this

    @property
    def analysis_timeout_seconds(self) -> float:
        return self.chunk_timeout_seconds * 3


def create_job(uow, kind_name: str, filename: str, stream: BinaryIO, options: dict[str, str],
               actor: Actor, max_bytes: int) -> dict[str, Any]:
    kind = domain.kind_named(kind_name)
    policy.require(policy.missing_for_import(actor, kind.name))
    settings = ImportSettings()
    start = domain.apply_options(settings, kind, options)
    _check_kind_options(kind.name, settings)
    job_id = str(uuid.uuid4())
    with uow:
        job = JobRow(id=job_id, kind=kind.name, status=ANALYZING, filename=filename or "upload.csv",
                     settings=settings.to_dict(), columns=[], generation=0, start_when_ready=start,
                     created_by=actor.code, created_by_rights=sorted(actor.rights),
                     started_by=actor.code if start else None, started_by_rights=sorted(actor.rights) if start else None,
                     created_at=utcnow(), analysis_sent_at=utcnow())
        uow.imports.add_job(job)
        if uow.imports.store_file(job_id, stream, max_bytes) < 0:
            raise PayloadTooLarge("payload_too_large", f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        uow.send_after_commit(ANALYZE_TASK, IMPORTER_QUEUE, job_id, 0)
        uow.commit()
    return get_job(uow, job_id)


def change_settings(uow, job_id: str, options: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """PATCH: new settings for a job that is ready; it is analysed again from the file (the preview
    still decides rows with the uploader's rights)."""
    with uow:
        job = _job(uow, job_id, for_update=True)
        policy.require(policy.missing_for_import(actor, job.kind))
        domain.require_status(job.status, (READY,), "change the settings of")
        kind = domain.kind_named(job.kind)
        settings = ImportSettings(**job.settings)
        start = domain.apply_options(settings, kind, {name: value for name, value in options.items()})
        _check_kind_options(kind.name, settings)
        job.settings, job.generation, job.status = settings.to_dict(), job.generation + 1, ANALYZING
        job.start_when_ready, job.total_rows, job.chunk_count, job.columns = start, None, None, []
        if start:
            job.started_by, job.started_by_rights = actor.code, sorted(actor.rights)
        job.sample_rows = None
        job.analysis_sent_at = utcnow()
        uow.imports.delete_chunks(job_id)
        uow.send_after_commit(ANALYZE_TASK, IMPORTER_QUEUE, job_id, job.generation)
        uow.commit()
    return get_job(uow, job_id)


def analyze_job(uow, job_id: str, generation: int, timing: Timing) -> None:
    """Read the file into chunks and send each for a dry run; a file problem fails the job."""
    with uow:
        job = uow.imports.get_job(job_id, for_update=True)
        if job is None or job.generation != generation or job.status != ANALYZING:
            return
        if job.chunk_count is None:
            settings = ImportSettings(**job.settings)
            kind = domain.kind_named(job.kind)

            def store_chunk(chunk_no: int, rows: list[RowIn]) -> None:
                _seal_secrets(rows, kind.secret_fields, uow.sealer)
                uow.imports.add_chunk(job_id, generation, chunk_no, [vars(row) for row in rows])

            try:
                with ScratchKeys() as keys:
                    layout = analysis.analyze(lambda: uow.imports.file_blocks(job_id), settings, kind, store_chunk,
                                              keys)
            except FileProblem as problem:
                uow.session.rollback()
                _fail(uow, job_id, problem)
                return
            settings.encoding, settings.delimiter = layout.encoding, layout.delimiter
            settings.mapping = domain.settings_mapping(layout.columns)
            job.settings = settings.to_dict()
            job.columns = [vars(column) for column in layout.columns]
            job.sample_rows = layout.sample_rows
            job.total_rows, job.chunk_count = layout.total_rows, layout.chunk_count
        if job.start_when_ready:
            # Nobody will look at a preview: the job goes straight on, without the dry run.
            job.status = QUEUED
            uow.session.flush()
            _begin_running(uow, job, (QUEUED,), timing)
        else:
            _dispatch(uow, job, "plan", timing)
        uow.commit()


def record_chunk_result(uow, result: ChunkResult, timing: Timing) -> None:
    """Store a chunk's planned or applied row results; move the job on when all are in."""
    with uow:
        job = uow.imports.get_job(result.job_id)
        chunk = uow.imports.get_chunk(result.job_id, result.generation, result.chunk_no, for_update=True,
                                      with_rows=False)
        if job is None or chunk is None or job.generation != result.generation:
            return  # an answer for settings that have changed since: nothing to keep
        if result.problem is not None:
            _fail(uow, job.id, FileProblem(result.problem["code"], result.problem["message"]),
                  expected=(ANALYZING, QUEUED, RUNNING))
            return
        rows = [vars(row) for row in result.rows]
        counts = {action: 0 for action in ACTIONS}
        for row in rows:
            counts[row["action"]] += 1
        if result.dry_run and chunk.plan is None:
            chunk.plan = rows
            for action, count in counts.items():
                setattr(chunk, f"planned_{action}", count)
        elif not result.dry_run and chunk.result is None:
            _explain_changes_since_preview(chunk.plan or [], rows)
            chunk.result = rows
            for action, count in counts.items():
                setattr(chunk, f"done_{action}", count)
        uow.session.flush()
        _advance(uow, job, timing)
        uow.commit()


def start_job(uow, job_id: str, timing: Timing, actor: Actor) -> dict[str, Any]:
    """Queue a ready job; its rows are applied with the rights of `actor`, who starts it."""
    with uow:
        job = _job(uow, job_id, for_update=True)
        policy.require(policy.missing_for_import(actor, job.kind))
        domain.require_status(job.status, (READY,), "start")
        uow.imports.set_status(job_id, (READY,), QUEUED, started_by=actor.code, started_by_rights=sorted(actor.rights))
        uow.commit()
    _run_queued(uow, job_id, timing)
    return get_job(uow, job_id)


def cancel_job(uow, job_id: str) -> dict[str, Any]:
    with uow:
        job = _job(uow, job_id, for_update=True)
        domain.require_status(job.status, ACTIVE, "cancel")
        _finish(uow, job, ACTIVE, CANCELLED)
        uow.commit()
    return get_job(uow, job_id)


def sweep(uow, timing: Timing) -> int:
    """Move every unfinished job on: resend overdue chunks and analyses, start queued jobs,
    complete jobs whose last answer came in, discard jobs never started within the retention time.
    Safe to run anywhere, any number of times."""
    _discard_unstarted(uow, timing)
    with uow.reading():
        job_ids = [(job.id, job.status) for job in uow.imports.active_jobs()]
    for job_id, status in job_ids:
        if status == QUEUED:
            _run_queued(uow, job_id, timing)
            continue
        with uow:
            job = uow.imports.get_job(job_id, for_update=True)
            if job is None or job.status not in (ANALYZING, RUNNING):
                continue
            if job.status == ANALYZING and job.chunk_count is None:
                overdue = (utcnow() - _aware(job.analysis_sent_at)).total_seconds() > timing.analysis_timeout_seconds
                if overdue:
                    job.analysis_sent_at = utcnow()
                    uow.send_after_commit(ANALYZE_TASK, IMPORTER_QUEUE, job.id, job.generation)
            else:
                _advance(uow, job, timing)
            uow.commit()
    return len(job_ids)


def get_job(uow, job_id: str) -> dict[str, Any]:
    with uow.reading():
        job = _job(uow, job_id)
        planned, done, processed = uow.imports.totals(job)
        return job_representation(job, planned, done, processed)


def list_jobs(uow, kind=None, status=None, before=None, limit=100) -> list[dict[str, Any]]:
    with uow.reading():
        jobs = uow.imports.list_jobs(kind, status, before, limit)
        return [job_representation(job, *uow.imports.totals(job)) for job in jobs]


def list_rows(uow, job_id: str, action: str | None, after: tuple[int, int] | None, limit: int):
    """Row results in file order from the cursor (chunk_no, index); returns (rows, next cursor)."""
    if action is not None and action not in ACTIONS:
        raise domain.invalid_option("action", f"action must be one of {', '.join(ACTIONS)}.")
    with uow.reading():
        job = _job(uow, job_id)
        phase = "plan" if job.status in (ANALYZING, READY, QUEUED) else "result"
        secret_fields = domain.kind_named(job.kind).secret_fields
        rows: list[dict] = []
        start_chunk, start_index = after or (0, 0)
        for chunk in uow.imports.chunks_in_order(job, start_chunk, action, phase):
            for index, row in enumerate(_row_results(chunk, phase, secret_fields)):
                if (chunk.chunk_no, index) < (start_chunk, start_index) or row is None:
                    continue
                if action is None or row["action"] == action:
                    if len(rows) == limit:
                        return rows, (chunk.chunk_no, index)
                    rows.append(row)
        return rows, None


def errors_csv(uow, job_id: str) -> Iterator[str]:
    """The rows that went wrong (error, skip) as a semicolon CSV, safe to open in a spreadsheet."""
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
        kind = domain.kind_named(job.kind)
        phase = "plan" if job.status in (ANALYZING, READY, QUEUED) else "result"
        for chunk in uow.imports.chunks_in_order(job, 0, None, phase):
            for row in _row_results(chunk, phase, kind.secret_fields):
                if row is not None and row["action"] in ("error", "skip"):
                    writer.writerow([row["line"], safe_cell(row["values"].get(kind.key_field, "")),
                                     row["action"], safe_cell(" ".join(row["messages"]))])
            yield flush()


def _row_results(chunk, phase: str, secret_fields: tuple[str, ...]) -> list[dict | None]:
    outcomes = chunk.plan if phase == "plan" else chunk.result
    results = []
    for index, row in enumerate(chunk.rows):
        outcome = outcomes[index] if outcomes else None
        if outcome is None:
            results.append(None)
            continue
        results.append({"line": row["line"], "action": outcome["action"],
                        "values": _masked(row["values"], secret_fields),
                        "messages": outcome["messages"], "applied": outcome["applied"],
                        "reason": outcome.get("reason"), "params": outcome.get("params") or {}})
    return results


def _advance(uow, job: JobRow, timing: Timing) -> None:
    if job.status == ANALYZING:
        if uow.imports.unanswered_chunks(job, "plan") == 0:
            uow.imports.set_status(job.id, (ANALYZING,), READY)
        else:
            _dispatch(uow, job, "plan", timing)
    elif job.status == RUNNING:
        if uow.imports.unanswered_chunks(job, "result") == 0:
            _finish(uow, job, (RUNNING,), COMPLETED)
        else:
            _dispatch(uow, job, "result", timing)


def _run_queued(uow, job_id: str, timing: Timing) -> None:
    with uow:
        job = uow.imports.get_job(job_id, for_update=True)
        if job is not None and job.status == QUEUED:
            _begin_running(uow, job, (QUEUED,), timing)
        uow.commit()


def _begin_running(uow, job: JobRow, expected: tuple[str, ...], timing: Timing) -> None:
    if uow.imports.set_status(job.id, expected, RUNNING, started_at=utcnow()):
        uow.imports.forget_sending(job)
        uow.session.refresh(job)
        _dispatch(uow, job, "result", timing)


def _dispatch(uow, job: JobRow, phase: str, timing: Timing) -> None:
    kind = domain.kind_named(job.kind)
    options = {name: job.settings[name] for name in ("mode", "as_student", "schedule_project")}
    acting = Actor(job.created_by, frozenset(job.created_by_rights or ())) if phase == "plan" \
        else Actor(job.started_by or "", frozenset(job.started_by_rights or ()))
    for chunk in uow.imports.chunks_to_send(job, phase, WINDOW, timing.chunk_timeout_seconds):
        chunk.sent_at = utcnow()
        chunk.attempts += 1
        message = Chunk(job.id, job.generation, chunk.chunk_no, phase == "plan", options,
                        [RowIn(**row) for row in chunk.rows], actor=acting.to_dict())
        uow.send_after_commit(kind.task, kind.queue, message.to_message())


def _explain_changes_since_preview(plan: list[dict], results: list[dict]) -> None:
    for planned, done in zip(plan, results):
        if planned["action"] != done["action"]:
            done["messages"].append(
                f"Planned as {planned['action']} in the preview; the users changed since, so: {done['action']}.")


def _fail(uow, job_id: str, problem: FileProblem, expected: tuple[str, ...] = (ANALYZING,)) -> None:
    _finish(uow, uow.imports.get_job(job_id), expected, FAILED, error={"code": problem.code, "message": problem.message})
    uow.commit()


def _finish(uow, job: JobRow, expected: tuple[str, ...], status: str, **values) -> None:
    """End the job; its uploaded file and the sealed secrets of its rows are not kept beyond it."""
    if uow.imports.set_status(job.id, expected, status, finished_at=utcnow(), **values):
        uow.imports.delete_file(job.id)
        secret_fields = domain.kind_named(job.kind).secret_fields
        if any(field in secret_fields for field in (job.settings.get("mapping") or {}).values()):
            uow.imports.forget_values(job, secret_fields)


def _discard_unstarted(uow, timing: Timing) -> None:
    """An upload nobody starts is not kept: after the retention time it goes, with its file.
    Looks first without writing (on SQLite a write transaction every sweep would hold up imports)."""
    cutoff = utcnow() - timedelta(hours=timing.retention_hours)
    with uow.reading():
        expired = uow.imports.unstarted_jobs_created_before(cutoff)
    for job_id in expired:
        with uow:
            job = uow.imports.get_job(job_id, for_update=True)
            if job is not None and job.status in (ANALYZING, READY) and job.started_at is None:
                uow.imports.delete_job(job_id)
            uow.commit()


def _seal_secrets(rows: list[RowIn], secret_fields: tuple[str, ...], sealer) -> None:
    """Secret cells (passwords) are stored and sent sealed; only the service applying them opens them."""
    for row in rows:
        for name in secret_fields:
            if row.values.get(name, "").strip():
                row.values[name] = sealer.seal_text(row.values[name])


def _masked(values: dict[str, str], secret_fields: tuple[str, ...]) -> dict[str, str]:
    return {name: MASK if name in secret_fields and value else value for name, value in values.items()}


def _check_kind_options(kind: str, settings: ImportSettings) -> None:
    if kind == "users":
        settings.schedule_project = None
    elif not settings.schedule_project:
        raise domain.invalid_option("schedule_project", "An enrollment import needs the schedule_project option.")
    else:
        settings.mode, settings.as_student = "import", False  # enrollments are only ever imported


def _job(uow, job_id: str, for_update: bool = False) -> JobRow:
    job = uow.imports.get_job(job_id, for_update=for_update)
    if job is None:
        raise domain.job_not_found(job_id)
    return job


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
