"""A job's life through the importer's handlers, on hand-written fakes: no database, no broker."""

import io

import pytest

from services.importer import analysis, handlers
from services.importer.domain import Status
from services.importer.handlers import WINDOW, Timing
from shared.errors import Conflict
from shared.messages import ANALYZE_IMPORT, Chunk, ChunkResult, RowOut
from shared.policy import Actor
from shared.rights import RIGHTS
from tests.unit.importer_fakes import FakeUnitOfWork

MANAGER = Actor("admin", frozenset(RIGHTS))
TIMING = Timing(chunk_timeout_seconds=60)
ROWS_PER_CHUNK = 2


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(analysis, "CHUNK_ROWS", ROWS_PER_CHUNK)


@pytest.fixture
def uow():
    return FakeUnitOfWork()


def export(rows: int) -> bytes:
    return ("Leerlingnummer;Roepnaam\r\n" + "".join(f"{100000 + n};Zoë\r\n" for n in range(rows))).encode()


def upload(uow, rows=4, **options) -> str:
    job = handlers.create_job(uow, "users", "leerlingen.csv", io.BytesIO(export(rows)), options, MANAGER, 10**6)
    return job["id"]


def analyse(uow, job_id, generation=0):
    handlers.analyze_job(uow, job_id, generation, TIMING)


def sent_chunks(uow) -> list[Chunk]:
    """The chunk messages sent so far, taken off the fake broker."""
    chunks = [Chunk.from_message(args[0]) for task, _, args in uow.sent if task != ANALYZE_IMPORT]
    uow.sent.clear()
    return chunks


def answer(uow, chunk: Chunk, action="create", generation=None):
    rows = [RowOut(row.line, action, [], applied=not chunk.dry_run) for row in chunk.rows]
    result = ChunkResult(chunk.job_id, chunk.generation if generation is None else generation, chunk.chunk_no,
                         chunk.dry_run, rows)
    handlers.record_chunk_result(uow, result, TIMING)


def status(uow, job_id) -> str:
    return handlers.get_job(uow, job_id)["status"]


def test_an_upload_is_analysed_into_chunks_each_previewed_then_ready_with_the_planned_counts(uow):
    job_id = upload(uow, rows=5)
    assert [task for task, _, _ in uow.sent] == [ANALYZE_IMPORT]
    analyse(uow, job_id)
    previews = sent_chunks(uow)
    assert [(chunk.chunk_no, chunk.dry_run, len(chunk.rows)) for chunk in previews] == \
        [(0, True, 2), (1, True, 2), (2, True, 1)]
    assert previews[0].actor == MANAGER.to_dict()
    assert previews[0].options == {"mode": "import", "as_student": False, "login_method": "password"}
    for chunk in previews:
        assert status(uow, job_id) == "analyzing"
        answer(uow, chunk)
    job = handlers.get_job(uow, job_id)
    assert job["status"] == "ready" and job["counts"]["create"] == 5 and job["progress"]["processed"] == 0


def test_no_more_chunks_are_in_flight_than_the_window(uow):
    job_id = upload(uow, rows=ROWS_PER_CHUNK * (WINDOW + 3))
    analyse(uow, job_id)
    first = sent_chunks(uow)
    assert len(first) == WINDOW
    answer(uow, first[0])
    assert [chunk.chunk_no for chunk in sent_chunks(uow)] == [WINDOW]


def test_starting_applies_every_chunk_with_the_starters_rights_and_completes(uow):
    job_id = upload(uow)
    analyse(uow, job_id)
    for chunk in sent_chunks(uow):
        answer(uow, chunk)
    starter = Actor("imp", frozenset({"imports:write", "users:write"}))
    assert handlers.start_job(uow, job_id, TIMING, starter)["status"] == "running"
    applies = sent_chunks(uow)
    assert [chunk.dry_run for chunk in applies] == [False, False] and applies[0].actor == starter.to_dict()
    for chunk in applies:
        answer(uow, chunk)
    job = handlers.get_job(uow, job_id)
    assert (job["status"], job["started_by"], job["progress"]["processed"]) == ("completed", "imp", 4)
    assert job_id not in uow.jobs.files  # the file goes when the job ends


def test_an_answer_for_settings_changed_since_is_dropped(uow):
    job_id = upload(uow)
    analyse(uow, job_id)
    old = sent_chunks(uow)
    for chunk in old:
        answer(uow, chunk)
    handlers.change_settings(uow, job_id, {"as_student": "true"}, MANAGER)
    analyse(uow, job_id, generation=1)
    new = sent_chunks(uow)
    answer(uow, old[0], action="error")  # late, for generation 0
    assert handlers.get_job(uow, job_id)["counts"]["error"] == 0 and status(uow, job_id) == "analyzing"
    for chunk in new:
        answer(uow, chunk)
    assert status(uow, job_id) == "ready"


def test_the_sweep_resends_a_chunk_whose_answer_is_overdue(uow):
    job_id = upload(uow, rows=2)
    analyse(uow, job_id)
    [lost] = sent_chunks(uow)
    handlers.sweep(uow, TIMING)
    assert sent_chunks(uow) == []  # not overdue yet
    handlers.sweep(uow, Timing(chunk_timeout_seconds=0))
    [again] = sent_chunks(uow)
    assert (again.chunk_no, again.dry_run) == (lost.chunk_no, True)
    answer(uow, again)
    answer(uow, lost)  # the first delivery answers late: kept once
    assert handlers.get_job(uow, job_id)["counts"]["create"] == 2


def test_cancel_stops_sending_but_keeps_the_answers_of_chunks_already_sent(uow):
    job_id = upload(uow, rows=ROWS_PER_CHUNK * (WINDOW + 2))
    analyse(uow, job_id)
    for _ in range(2):
        for chunk in sent_chunks(uow):
            answer(uow, chunk)
    handlers.start_job(uow, job_id, TIMING, MANAGER)
    in_flight = sent_chunks(uow)
    assert handlers.cancel_job(uow, job_id)["status"] == "cancelled"
    answer(uow, in_flight[0])
    handlers.sweep(uow, Timing(chunk_timeout_seconds=0))
    job = handlers.get_job(uow, job_id)
    assert sent_chunks(uow) == [] and job["status"] == "cancelled" and job["counts"]["create"] == ROWS_PER_CHUNK
    with pytest.raises(Conflict):
        handlers.start_job(uow, job_id, TIMING, MANAGER)


def test_start_true_skips_the_preview(uow):
    job_id = upload(uow, start="true")
    analyse(uow, job_id)
    assert [chunk.dry_run for chunk in sent_chunks(uow)] == [False, False]
    assert status(uow, job_id) == "running"


def test_a_file_that_is_no_csv_fails_the_job_and_is_not_kept(uow):
    job = handlers.create_job(uow, "users", "foto.png", io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256))), {},
                              MANAGER, 10**6)
    analyse(uow, job["id"])
    failed = handlers.get_job(uow, job["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "not_text"
    assert job["id"] not in uow.jobs.files and uow.jobs.chunks == {} and sent_chunks(uow) == []


def test_a_ready_job_cannot_be_started_twice_nor_a_running_one_changed(uow):
    job_id = upload(uow)
    with pytest.raises(Conflict):
        handlers.start_job(uow, job_id, TIMING, MANAGER)  # still analysing
    analyse(uow, job_id)
    for chunk in sent_chunks(uow):
        answer(uow, chunk)
    handlers.start_job(uow, job_id, TIMING, MANAGER)
    with pytest.raises(Conflict):
        handlers.change_settings(uow, job_id, {"mode": "update"}, MANAGER)
    assert uow.jobs.jobs[job_id].status is Status.RUNNING


def test_a_file_the_forced_encoding_cannot_decode_fails_the_job_instead_of_hanging(uow):
    job = handlers.create_job(uow, "users", "leerlingen.csv", io.BytesIO(export(2)), {"encoding": "utf-16"},
                              MANAGER, 10**6)
    analyse(uow, job["id"])
    failed = handlers.get_job(uow, job["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "undecodable_file"
    assert "utf-16" in failed["error"]["message"] and sent_chunks(uow) == []
