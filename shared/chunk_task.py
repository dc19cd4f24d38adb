"""The task every row-applying service runs for an import chunk: the message in, the result back.

The importer sends a chunk by task name to a service's queue; the service decides or applies its
rows and sends the `ChunkResult` by name to the importer's queue. Only the handler differs, so a
service's task is its handler call under `@chunk_task(NAME)`.

A chunk whose handler raises is not left to be sent again for ever (a "poison" chunk: one row the
service cannot handle would stop the whole import). Before `ROW_BY_ROW_ATTEMPT` the failure is
reported and the importer sends the chunk again; from that attempt on its rows are decided one by
one, each in its own transaction under its own key, and a row that still raises is an `error` with
reason `row_failed` while the others are applied. Errors of the infrastructure (the database or
Redis unreachable, a deadlock) are no row's fault: they are raised, and the importer's sweep sends
the chunk again after its timeout.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import replace

from celery import current_app as current_celery
from celery import shared_task

from shared import catalogue, faults
from shared.collection_pause import collection_paused
from shared.failures import INFRASTRUCTURE_ERRORS
from shared.messages import (
    IMPORTER_QUEUE,
    RECORD_CHUNK_RESULT,
    ROW_BY_ROW_ATTEMPT,
    ROW_FAILED,
    Chunk,
    ChunkResult,
    RowOut,
)

log = logging.getLogger(__name__)

Apply = Callable[[Chunk], ChunkResult]


def chunk_task(name: str):
    """Register `apply(chunk) -> ChunkResult` as the Celery task `name`, which takes the chunk as its
    message (one JSON text) and reports the result to the importer."""

    def register(apply: Apply):
        @shared_task(name=name)
        @functools.wraps(apply, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
        def apply_and_report(message: str) -> None:
            with collection_paused():
                answer = decide_chunk(apply, Chunk.from_message(message)).to_message()
            current_celery.send_task(RECORD_CHUNK_RESULT, args=[answer], queue=IMPORTER_QUEUE)

        return apply_and_report

    return register


def decide_chunk(apply: Apply, chunk: Chunk) -> ChunkResult:
    """The chunk's result: whole when the handler manages, a failure to report on an early attempt,
    else row by row. Raises infrastructure errors."""
    try:
        result = _apply(apply, chunk)
    except INFRASTRUCTURE_ERRORS:
        raise
    except Exception as error:
        if chunk.attempt < ROW_BY_ROW_ATTEMPT:
            log.exception("Chunk %s failed on attempt %d; the importer sends it again", chunk.key, chunk.attempt)
            return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, [],
                               failure=type(error).__name__)
        log.exception("Chunk %s failed on attempt %d; deciding its rows one by one", chunk.key, chunk.attempt)
        return _row_by_row(apply, chunk)
    if result.problem is None and len(result.rows) != len(chunk.rows):
        # An earlier delivery claimed the chunk for row by row (its key holds no rows): its rows'
        # own keys hold their results.
        return _row_by_row(apply, chunk)
    return result


def _row_by_row(apply: Apply, chunk: Chunk) -> ChunkResult:
    """Each row on its own, under its own key. When applying, the chunk's key is first recorded with
    no rows, so a late delivery of the whole chunk applies nothing twice (it goes row by row too)."""
    if not chunk.dry_run:
        claimed = _apply(apply, replace(chunk, rows=[]))
        if claimed.rows or claimed.problem:
            return claimed  # a delivery of the whole chunk got there first (its results stand), or no row can be
    rows: list[RowOut] = []
    for row in chunk.rows:
        alone = _apply_row(apply, replace(chunk, rows=[row], row_line=row.line))
        if alone.problem:
            return alone
        rows.extend(alone.rows)
    return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows)


def _apply_row(apply: Apply, single: Chunk) -> ChunkResult:
    """One row under its own key; tried twice before it is `row_failed`, because another delivery
    of the chunk (sent again after its timeout) may be going row by row too and record the row's
    key first: then the second try answers what that one did."""
    line = single.rows[0].line
    for attempt in (1, 2):
        try:
            return _apply(apply, single)
        except INFRASTRUCTURE_ERRORS:
            raise  # the rows done so far keep their keys: sent again, they answer what they did
        except Exception as error:
            if attempt == 2:
                log.exception("Row on line %d of chunk %s failed", line, single.key)
                return ChunkResult(single.job_id, single.generation, single.chunk_no, single.dry_run,
                                   [failed_row(line, single.dry_run, type(error).__name__)])
    raise AssertionError("unreachable")


def failed_row(line: int, dry_run: bool, error: str) -> RowOut:
    return RowOut(line, "error", [catalogue.note(ROW_FAILED, error=error)], reason=ROW_FAILED, params={"error": error})


def _apply(apply: Apply, chunk: Chunk) -> ChunkResult:
    faults.fail_on_rows([row.values for row in chunk.rows])
    return apply(chunk)
