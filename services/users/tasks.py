"""Celery tasks of the users queue: deserialize, call the service, nothing else."""

from celery import shared_task
from flask import current_app

from services.users import handlers
from shared.chunk_task import chunk_task
from shared.messages import APPLY_USER_ROWS, PUBLISH_USER_EVENTS, Chunk, ChunkResult


@chunk_task(APPLY_USER_ROWS)
def apply_rows(chunk: Chunk) -> ChunkResult:
    """Plan or apply one chunk of a users import."""
    return handlers.apply_user_rows(current_app.extensions["users"].unit_of_work(), chunk)


@shared_task(name=PUBLISH_USER_EVENTS)
def publish_events() -> int:
    """Publish whatever the outbox holds now (the relay does this too, on its own schedule)."""
    publisher = current_app.extensions["users"].publisher
    return publisher.publish_pending()
