"""Celery tasks of the users queue: deserialize, call the service, nothing else."""

import logging

from celery import current_app as current_celery
from celery import shared_task
from flask import current_app

from services.users import handlers
from shared.chunk_task import chunk_task
from shared.failures import INFRASTRUCTURE_ERRORS
from shared.messages import (
    APPLY_LEAVERS,
    APPLY_USER_ROWS,
    IMPORTER_QUEUE,
    PUBLISH_USER_EVENTS,
    RECORD_CHUNK_RESULT,
    Chunk,
    ChunkResult,
)

log = logging.getLogger(__name__)


@chunk_task(APPLY_USER_ROWS)
def apply_rows(chunk: Chunk) -> ChunkResult:
    """Plan or apply one chunk of a users import."""
    return handlers.apply_user_rows(current_app.extensions["users"].unit_of_work(), chunk)


@shared_task(name=APPLY_LEAVERS)
def apply_leavers(message: str) -> None:
    """Plan or archive the leavers of a users synchronize with archive_missing, in one transaction
    (applied exactly once: its key is recorded with it). One that fails is reported, and the importer
    sends it again; leavers are no lines of a file, so they are never taken apart row by row."""
    chunk = Chunk.from_message(message)
    try:
        result = handlers.apply_leavers(current_app.extensions["users"].unit_of_work(), chunk)
    except INFRASTRUCTURE_ERRORS:
        raise
    except Exception as error:
        log.exception("The leavers of import %s failed on attempt %d", chunk.job_id, chunk.attempt)
        result = ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, [],
                             failure=type(error).__name__)
    current_celery.send_task(RECORD_CHUNK_RESULT, args=[result.to_message()], queue=IMPORTER_QUEUE)


@shared_task(name=PUBLISH_USER_EVENTS)
def publish_events() -> int:
    """Publish whatever the outbox holds now (the relay does this too, on its own schedule)."""
    publisher = current_app.extensions["users"].publisher
    return publisher.publish_pending()
