"""Celery tasks of the enrollments queue: deserialize, call the handler, nothing else."""

from flask import current_app

from services.enrollments import handlers
from shared.chunk_task import chunk_task
from shared.messages import APPLY_ENROLLMENT_ROWS, Chunk, ChunkResult


@chunk_task(APPLY_ENROLLMENT_ROWS)
def apply_rows(chunk: Chunk) -> ChunkResult:
    """Plan or apply one chunk of an enrollment import."""
    service = current_app.extensions["enrollments"]
    return handlers.apply_enrollment_rows(service.unit_of_work(), service.directory, chunk)
