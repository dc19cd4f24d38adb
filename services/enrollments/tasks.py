"""Celery tasks of the enrollments queue: deserialize, call the handler, report back."""

from celery import current_app as current_celery
from celery import shared_task
from flask import current_app

from services.enrollments import handlers
from shared.messages import APPLY_ENROLLMENT_ROWS, ENROLLMENTS_QUEUE, IMPORTER_QUEUE, RECORD_CHUNK_RESULT, Chunk

QUEUE = ENROLLMENTS_QUEUE


@shared_task(name=APPLY_ENROLLMENT_ROWS)
def apply_rows(chunk: str) -> None:
    """Plan or apply one chunk of an enrollment import, then report the rows' results."""
    service = current_app.extensions["enrollments"]
    result = handlers.apply_enrollment_rows(service.unit_of_work(), Chunk.from_message(chunk))
    current_celery.send_task(RECORD_CHUNK_RESULT, args=[result.to_message()], queue=IMPORTER_QUEUE)
