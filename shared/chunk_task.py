"""The task every row-applying service runs for an import chunk: the message in, the result back.

The importer sends a chunk by task name to a service's queue; the service decides or applies its
rows and sends the `ChunkResult` by name to the importer's queue. Only the handler differs, so a
service's task is its handler call under `@chunk_task(NAME)`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from celery import current_app as current_celery
from celery import shared_task

from shared.messages import IMPORTER_QUEUE, RECORD_CHUNK_RESULT, Chunk, ChunkResult


def chunk_task(name: str):
    """Register `apply(chunk) -> ChunkResult` as the Celery task `name`, which takes the chunk as its
    message (one JSON text) and reports the result to the importer."""

    def register(apply: Callable[[Chunk], ChunkResult]):
        @shared_task(name=name)
        @functools.wraps(apply, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
        def apply_and_report(message: str) -> None:
            result = apply(Chunk.from_message(message))
            current_celery.send_task(RECORD_CHUNK_RESULT, args=[result.to_message()], queue=IMPORTER_QUEUE)

        return apply_and_report

    return register
