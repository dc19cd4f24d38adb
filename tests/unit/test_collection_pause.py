"""The cyclic garbage collector is held off while a chunk is handled, and on again afterwards."""

import gc
import weakref

import pytest

from shared import chunk_task
from shared.collection_pause import collect_young, collection_paused
from shared.messages import Chunk, ChunkResult, RowIn, RowOut


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after():
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_is_on_again_after_an_error_inside():
    with pytest.raises(ValueError), collection_paused():
        raise ValueError("the chunk failed")
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_it_off_until_the_outer_one_ends():
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()


class Node:
    def __init__(self):
        self.other = self  # a cycle: reference counting alone never frees it


def test_inside_a_pause_a_young_collection_frees_the_cycles_made_since_the_last_one():
    with collection_paused():
        node = Node()
        gone = weakref.ref(node)
        del node
        assert gone() is not None  # paused: nothing collects it by itself
        collect_young()
        assert gone() is None


def test_a_chunk_task_decides_with_the_collector_off_and_answers_with_it_on(monkeypatch):
    seen, sent = [], []

    def apply(chunk: Chunk) -> ChunkResult:
        seen.append(gc.isenabled())
        return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run,
                           [RowOut(row.line, "create") for row in chunk.rows])

    class Celery:
        def send_task(self, name, args, queue):
            sent.append((gc.isenabled(), ChunkResult.from_message(args[0])))

    monkeypatch.setattr(chunk_task, "current_celery", Celery())
    task = chunk_task.chunk_task("test.collection_pause")(apply)
    task(Chunk("job", 0, 3, True, {}, [RowIn(2, {"code": "1"}), RowIn(3, {"code": "2"})]).to_message())
    assert seen == [False]
    [(enabled, result)] = sent
    assert enabled and [row.line for row in result.rows] == [2, 3]
