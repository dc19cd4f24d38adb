"""Leavers (archive_missing) and the newer job steps through the importer's handlers, on fakes: the
leavers chunk after the file's, its plan becoming its rows, the threshold at start and with
start=true, PATCH of a job failed on its settings, DELETE."""

import io

import pytest

from services.importer import analysis, handlers
from services.importer.handlers import Timing
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.messages import ANALYZE_IMPORT, APPLY_LEAVERS, APPLY_USER_ROWS, Chunk, ChunkResult, RowOut
from shared.policy import Actor
from shared.rights import RIGHTS
from tests.unit.importer_fakes import FakeUnitOfWork

MANAGER = Actor("admin", frozenset(RIGHTS))
TIMING = Timing(chunk_timeout_seconds=60)
LEAVERS = {"archive_missing": "true", "mode": "synchronize", "as_student": "true"}


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(analysis, "CHUNK_ROWS", 2)


@pytest.fixture
def uow():
    return FakeUnitOfWork()


def upload(uow, codes=("3", "1", "2"), **options) -> str:
    content = ("Leerlingnummer\r\n" + "".join(f"{code}\r\n" for code in codes)).encode()
    job = handlers.create_job(uow, "users", "leerlingen.csv", io.BytesIO(content), options, MANAGER, 10**6)
    handlers.analyze_job(uow, job["id"], 0, TIMING)
    return job["id"]


def sent(uow) -> list[tuple[str, Chunk]]:
    messages = [(task, Chunk.from_message(args[0])) for task, _, args in uow.sent if task != ANALYZE_IMPORT]
    uow.sent.clear()
    return messages


def answer_all(uow, leavers=("9", "8"), active=20):
    """Answer every chunk out now: the file's rows unchanged, the leavers chunk with `leavers`."""
    for task, chunk in sent(uow):
        if task == APPLY_LEAVERS:
            rows = [RowOut(0, "archive", [], not chunk.dry_run, values={"code": code, "last_name": "Jansen"})
                    for code in leavers] if chunk.dry_run else \
                [RowOut(0, "archive", [], True) for _ in chunk.rows]
            result = ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows,
                                 facts={"active": active} if chunk.dry_run else None)
        else:
            result = ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run,
                                 [RowOut(row.line, "unchanged", []) for row in chunk.rows])
        handlers.record_chunk_result(uow, result, TIMING)


def job(uow, job_id):
    return handlers.get_job(uow, job_id)


def test_the_leavers_chunk_follows_the_files_chunks_with_every_code_of_the_file_sorted(uow):
    upload(uow, codes=("3", "1", " 2 ", "1"), **LEAVERS)
    messages = sent(uow)
    assert [task for task, _ in messages] == [APPLY_USER_ROWS, APPLY_USER_ROWS, APPLY_LEAVERS]
    task, leavers = messages[-1]
    assert leavers.chunk_no == 2 and leavers.dry_run and leavers.rows == []
    assert leavers.options["file_keys"] == "1\n2\n3"
    assert leavers.options["mode"] == "synchronize"


def test_a_job_without_archive_missing_sends_no_leavers_chunk(uow):
    upload(uow, mode="synchronize", as_student="true")
    assert APPLY_LEAVERS not in [task for task, _ in sent(uow)]


def test_the_leavers_plan_becomes_rows_after_the_files_and_the_threshold_refuses_a_start(uow):
    job_id = upload(uow, **LEAVERS)
    answer_all(uow, leavers=("8", "9"), active=10)
    ready = job(uow, job_id)
    assert ready["status"] == "ready" and ready["counts"]["archive"] == 2 and ready["active_students"] == 10
    rows, _ = handlers.list_rows(uow, job_id, "archive", None, 100)
    assert [(row["line"], row["values"]["code"]) for row in rows] == [(0, "8"), (0, "9")]
    with pytest.raises(Conflict) as refused:
        handlers.start_job(uow, job_id, TIMING, MANAGER)
    assert refused.value.code == "change_threshold_exceeded"
    assert refused.value.details == {"percent": 20.0, "count": 2, "active": 10, "max": 10}
    changed = handlers.change_settings(uow, job_id, {"max_archive_percent": 20}, MANAGER)
    assert changed["status"] == "ready" and changed["counts"]["archive"] == 2  # not analysed again
    assert sent(uow) == []
    handlers.start_job(uow, job_id, TIMING, MANAGER)
    applying = sent(uow)
    [(task, leavers)] = [(task, chunk) for task, chunk in applying if task == APPLY_LEAVERS]
    assert not leavers.dry_run and [row.values["code"] for row in leavers.rows] == ["8", "9"]


def test_exactly_the_threshold_is_allowed(uow):
    job_id = upload(uow, **LEAVERS)
    answer_all(uow, leavers=("9",), active=10)
    assert handlers.start_job(uow, job_id, TIMING, MANAGER)["status"] in ("queued", "running")


def test_with_start_true_the_leavers_are_previewed_first_and_a_job_under_the_threshold_runs(uow):
    job_id = upload(uow, start="true", **LEAVERS)
    assert job(uow, job_id)["status"] == "analyzing"
    answer_all(uow, leavers=("9",), active=100)
    assert job(uow, job_id)["status"] == "running"
    answer_all(uow)
    assert job(uow, job_id)["status"] == "completed"


def test_with_start_true_a_job_over_the_threshold_waits_ready(uow):
    job_id = upload(uow, start="true", **LEAVERS)
    answer_all(uow, leavers=("8", "9"), active=4)
    assert job(uow, job_id)["status"] == "ready"
    assert sent(uow) == []


@pytest.mark.parametrize("options", [{"archive_missing": "true"}, {**LEAVERS, "mode": "update"},
                                     {**LEAVERS, "as_student": "false"}, {**LEAVERS, "max_archive_percent": "200"},
                                     {"login_method": "sms"}])
def test_leavers_and_login_method_options_are_checked_on_upload(uow, options):
    with pytest.raises(InvalidInput) as refused:
        upload(uow, **options)
    assert refused.value.code == "invalid_option"


def test_a_patch_that_turns_synchronize_off_while_archiving_is_refused(uow):
    job_id = upload(uow, **LEAVERS)
    answer_all(uow)
    with pytest.raises(InvalidInput):
        handlers.change_settings(uow, job_id, {"mode": "import"}, MANAGER)


def test_a_job_failed_on_its_mapping_keeps_its_file_until_patched_and_one_failed_on_its_file_does_not(uow):
    job_id = upload(uow, mapping='{"Leerlingnummer": "ignore"}')
    assert job(uow, job_id)["error"]["code"] == "missing_required_column"
    assert job_id in uow.jobs.files
    handlers.change_settings(uow, job_id, {"mapping": '{"Leerlingnummer": "code"}'}, MANAGER)
    handlers.analyze_job(uow, job_id, 1, TIMING)
    answer_all(uow)
    assert job(uow, job_id)["status"] == "ready"
    empty = handlers.create_job(uow, "users", "leeg.csv", io.BytesIO(b""), {}, MANAGER, 10**6)["id"]
    handlers.analyze_job(uow, empty, 0, TIMING)
    assert job(uow, empty)["error"]["code"] == "empty_file" and empty not in uow.jobs.files
    with pytest.raises(Conflict):
        handlers.change_settings(uow, empty, {"delimiter": ";"}, MANAGER)


def test_a_job_failed_on_its_settings_and_never_patched_is_discarded_after_the_retention(uow):
    job_id = upload(uow, mapping='{"Leerlingnummer": "ignore"}')
    handlers.sweep(uow, Timing(retention_hours=0))
    with pytest.raises(NotFound):
        job(uow, job_id)


def test_delete_discards_a_ready_job_with_its_file_and_refuses_a_running_one(uow):
    job_id = upload(uow)
    answer_all(uow)
    handlers.delete_job(uow, job_id, MANAGER)
    assert job_id not in uow.jobs.files and not [key for key in uow.jobs.chunks if key[0] == job_id]
    with pytest.raises(NotFound):
        job(uow, job_id)
    assert [entry.action for entry in uow.audit.entries][-1] == "import.deleted"
    running = upload(uow, start="true")
    with pytest.raises(Conflict):
        handlers.delete_job(uow, running, MANAGER)
    with pytest.raises(Forbidden):
        handlers.delete_job(uow, running, Actor("nobody", frozenset({"imports:write"})))
