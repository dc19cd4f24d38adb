"""A chunk the service keeps failing on, through the importer's handlers on fakes: sent again at once
with its attempt number (the worker goes row by row from ROW_BY_ROW_ATTEMPT), and given up after
MAX_CHUNK_SENDS sends without an answer, so the job never stays running."""

from datetime import timedelta

from services.importer import handlers
from services.importer.domain import MAX_CHUNK_SENDS, NO_ANSWER, ROW_BY_ROW_TIMEOUT_FACTOR
from services.importer.handlers import Timing
from shared import catalogue
from shared.chunk_task import decide_chunk
from shared.messages import ROW_BY_ROW_ATTEMPT, ROW_FAILED, Chunk, ChunkResult, RowOut
from tests.unit.test_import_jobs import TIMING, analyse, answer, sent_chunks, upload
from tests.unit.test_import_jobs import small_chunks as small_chunks  # noqa: F401 (an autouse fixture)
from tests.unit.test_import_jobs import uow as uow  # noqa: F401 (a fixture)


def failure(uow, chunk: Chunk) -> None:
    handlers.record_chunk_result(uow, ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, [],
                                                  failure="ValueError"), TIMING)


def started(uow, rows=2) -> tuple[str, Chunk]:
    job_id = upload(uow, rows=rows, start="true")
    analyse(uow, job_id)
    [chunk] = sent_chunks(uow)
    return job_id, chunk


def test_a_failed_chunk_is_sent_again_at_once_with_its_next_attempt(uow):
    job_id, chunk = started(uow)
    assert chunk.attempt == 1 and not chunk.dry_run
    failure(uow, chunk)
    [again] = sent_chunks(uow)
    assert (again.chunk_no, again.attempt) == (chunk.chunk_no, 2)
    failure(uow, again)
    [third] = sent_chunks(uow)
    assert third.attempt == ROW_BY_ROW_ATTEMPT
    answer(uow, third)
    assert handlers.get_job(uow, job_id)["status"] == "completed"


def test_a_late_failure_after_the_answer_sends_nothing(uow):
    job_id, chunk = started(uow)
    answer(uow, chunk)
    failure(uow, chunk)
    assert sent_chunks(uow) == [] and handlers.get_job(uow, job_id)["status"] == "completed"


def test_a_chunk_never_answered_is_given_up_after_max_sends_and_the_job_completes(uow, monkeypatch):
    job_id, chunk = started(uow, rows=2)
    clock = [handlers.utcnow()]
    monkeypatch.setattr(handlers, "utcnow", lambda: clock[0])
    for attempt in range(2, MAX_CHUNK_SENDS + 1):
        clock[0] += timedelta(seconds=61)
        handlers.sweep(uow, Timing(chunk_timeout_seconds=60))
        if attempt > ROW_BY_ROW_ATTEMPT:  # a delivery that may go row by row is waited for longer
            assert sent_chunks(uow) == []
            clock[0] += timedelta(seconds=60 * ROW_BY_ROW_TIMEOUT_FACTOR)
            handlers.sweep(uow, Timing(chunk_timeout_seconds=60))
        assert [sent.attempt for sent in sent_chunks(uow)] == [attempt]
    clock[0] += timedelta(seconds=60 * ROW_BY_ROW_TIMEOUT_FACTOR + 1)
    handlers.sweep(uow, Timing(chunk_timeout_seconds=60))
    assert sent_chunks(uow) == []
    job = handlers.get_job(uow, job_id)
    assert job["status"] == "completed" and job["counts"]["error"] == 2
    rows, _ = handlers.list_rows(uow, job_id, None, None, 10)
    assert {row["reason"] for row in rows} == {NO_ANSWER}
    assert "unknown" in catalogue.render(rows[0]["messages"], "en")[0]
    assert "onbekend" in catalogue.render(rows[0]["messages"], "nl")[0]
    answer(uow, chunk)  # an answer after all: the job stays as it ended
    assert handlers.get_job(uow, job_id)["counts"]["error"] == 2


class RowsService:
    """A stand-in for a row-applying service: applies each row once per key, raises on one code."""

    def __init__(self, failing_code: str):
        self.failing_code = failing_code
        self.results: dict[str, list[RowOut]] = {}
        self.applied: list[str] = []

    def apply(self, chunk: Chunk) -> ChunkResult:
        if not chunk.dry_run and chunk.key in self.results:
            return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, False, self.results[chunk.key])
        if any(row.values["code"] == self.failing_code for row in chunk.rows):
            raise ValueError("a bug this row triggers")
        rows = [RowOut(row.line, "create", [], applied=not chunk.dry_run) for row in chunk.rows]
        if not chunk.dry_run:
            self.results[chunk.key] = rows
            self.applied.extend(row.values["code"] for row in chunk.rows)
        return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows)


def test_one_bad_row_ends_as_a_row_failed_error_and_the_others_are_applied_once(uow):
    service = RowsService(failing_code="100001")
    job_id = upload(uow, rows=4, start="true")
    analyse(uow, job_id)
    for _ in range(20):  # the broker: every message to the service, every answer back
        chunks = sent_chunks(uow)
        if not chunks:
            break
        for chunk in chunks:
            handlers.record_chunk_result(uow, decide_chunk(service.apply, chunk), TIMING)
    job = handlers.get_job(uow, job_id)
    assert job["status"] == "completed" and (job["counts"]["create"], job["counts"]["error"]) == (3, 1)
    [failed] = handlers.list_rows(uow, job_id, "error", None, 10)[0]
    assert (failed["line"], failed["reason"], failed["params"]) == (3, ROW_FAILED, {"error": "ValueError"})
    assert sorted(service.applied) == ["100000", "100002", "100003"]
