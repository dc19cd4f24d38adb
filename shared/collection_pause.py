"""Python's cyclic garbage collector held off while one import chunk is handled, or a file is read
into chunks (then run, after each chunk, on what that chunk made).

A chunk of 2,000 rows makes tens of thousands of objects (rows, decisions, users, results) that all
live until its answer is sent; the collector, run every 700 new objects, walks them again and again
(and, in a worker, the whole heap of the libraries at each full collection) without freeing any of
them: a third of a users worker's CPU for a chunk. Reference counting still frees everything
without cycles at once; what has cycles waits until the chunk is done, so memory stays bounded by
one chunk.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic collection inside; the collector as it was afterwards (a pause inside a pause, or
    one in another thread, leaves turning it back on to whoever turned it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect_young() -> None:
    """Inside a long pause (a whole file read chunk by chunk), after each chunk: frees the cycles
    made since the last call, walking only the objects made since then, never the whole heap."""
    gc.collect(1)
