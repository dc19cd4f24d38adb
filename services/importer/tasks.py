"""Celery tasks of the importer queue: deserialize, call a handler, nothing else."""

from celery import shared_task
from flask import current_app

from services.importer import handlers
from shared.collection_pause import collection_paused
from shared.messages import ANALYZE_IMPORT, IMPORTER_QUEUE, RECORD_CHUNK_RESULT, SWEEP_IMPORTS, ChunkResult

QUEUE = IMPORTER_QUEUE
LEFTOVER_AGE_SECONDS = 2.0  # younger ones are being published by their writer


def _service():
    return current_app.extensions["importer"]


@shared_task(name=ANALYZE_IMPORT)
def analyze(job_id: str, generation: int) -> None:
    with collection_paused():  # the handler collects after each chunk of the file
        handlers.analyze_job(_service().unit_of_work(), job_id, generation, _service().timing)


@shared_task(name=RECORD_CHUNK_RESULT)
def record_chunk_result(result: str) -> None:
    with collection_paused():  # a chunk's thousands of row results live until it is stored
        handlers.record_chunk_result(_service().unit_of_work(), ChunkResult.from_message(result), _service().timing)


@shared_task(name=SWEEP_IMPORTS)
def sweep() -> int:
    """Sent every few seconds by the worker holding the sweep lease (sweeping.py): resends what went
    unanswered, finishes what is done."""
    moved = handlers.sweep(_service().unit_of_work(), _service().timing)
    if (publisher := _service().publisher) is not None:
        # Audit entries a crash or a Redis outage left in the outbox, after what Redis lost of them.
        publisher.try_publish_pending(min_age_seconds=LEFTOVER_AGE_SECONDS, repair=True)
        publisher.purge_published()
    return moved
