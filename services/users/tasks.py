"""Celery tasks of the users queue: deserialize, call the service, nothing else."""

from celery import current_app as current_celery
from celery import shared_task
from flask import current_app

from services.users import handlers
from shared.messages import APPLY_USER_ROWS, IMPORTER_QUEUE, RECORD_CHUNK_RESULT, USERS_QUEUE, Chunk

QUEUE = USERS_QUEUE


@shared_task(name=APPLY_USER_ROWS)
def apply_rows(chunk: str) -> None:
    """Plan or apply one chunk of an import, then report the rows' results to the importer."""
    result = handlers.apply_user_rows(current_app.extensions["users"].unit_of_work(), Chunk.from_message(chunk))
    current_celery.send_task(RECORD_CHUNK_RESULT, args=[result.to_message()], queue=IMPORTER_QUEUE)


@shared_task(name="users.publish_events")
def publish_events() -> int:
    """Publish whatever the outbox holds now (the relay does this too, on its own schedule)."""
    publisher = current_app.extensions["users"].publisher
    return publisher.publish_pending()
