"""Whatever goes wrong in an analysis, the job ends: tried again a bounded number of times, then
failed with analysis_failed, never analysing for ever."""

from datetime import timedelta

import pytest
import sqlalchemy.exc

from services.importer import analysis, handlers
from services.importer.domain import ANALYSIS_FAILED, MAX_ANALYSIS_ATTEMPTS
from services.importer.handlers import Timing
from shared.messages import ANALYZE_IMPORT
from tests.unit.test_import_jobs import TIMING, analyse, sent_chunks, upload
from tests.unit.test_import_jobs import small_chunks as small_chunks  # noqa: F401 (an autouse fixture)
from tests.unit.test_import_jobs import uow as uow  # noqa: F401 (a fixture)


def analyses_sent(uow) -> int:
    count = sum(1 for task, _, _ in uow.sent if task == ANALYZE_IMPORT)
    uow.sent.clear()
    return count


def test_an_unexpected_error_is_tried_again_then_fails_the_job_with_analysis_failed(uow, monkeypatch):
    job_id = upload(uow, rows=3)
    analyses_sent(uow)

    def broken(*args, **kwargs):
        raise ValueError("a fault in the analysis")

    monkeypatch.setattr(analysis, "analyze", broken)
    for _ in range(MAX_ANALYSIS_ATTEMPTS - 1):
        analyse(uow, job_id)
        assert analyses_sent(uow) == 1 and handlers.get_job(uow, job_id)["status"] == "analyzing"
    analyse(uow, job_id)
    job = handlers.get_job(uow, job_id)
    assert job["status"] == "failed" and job["error"]["code"] == ANALYSIS_FAILED
    assert "ValueError" in job["error"]["message"] and str(MAX_ANALYSIS_ATTEMPTS) in job["error"]["message"]
    assert analyses_sent(uow) == 0 and uow.jobs.files == {} and uow.jobs.chunks == {}


def test_a_passing_error_that_goes_away_lets_the_analysis_succeed(uow, monkeypatch):
    job_id = upload(uow, rows=3)
    real = analysis.analyze
    calls = []

    def once_broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("once")
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "analyze", once_broken)
    analyse(uow, job_id)
    analyse(uow, job_id)
    assert len(sent_chunks(uow)) == 2 and handlers.get_job(uow, job_id)["total_rows"] == 3


def test_an_infrastructure_error_is_raised_for_the_sweep_to_send_again(uow, monkeypatch):
    job_id = upload(uow, rows=3)

    def unreachable(*args, **kwargs):
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionError("restarting"))

    monkeypatch.setattr(analysis, "analyze", unreachable)
    with pytest.raises(sqlalchemy.exc.OperationalError):
        analyse(uow, job_id)
    assert handlers.get_job(uow, job_id)["status"] == "analyzing"


def test_an_analysis_that_never_answers_fails_after_its_tries(uow, monkeypatch):
    job_id = upload(uow, rows=3)
    analyses_sent(uow)
    clock = [handlers.utcnow()]
    monkeypatch.setattr(handlers, "utcnow", lambda: clock[0])
    for _ in range(MAX_ANALYSIS_ATTEMPTS - 1):
        clock[0] += timedelta(seconds=TIMING.analysis_timeout_seconds + 1)
        handlers.sweep(uow, Timing(TIMING.chunk_timeout_seconds, retention_hours=10**6))
        assert analyses_sent(uow) == 1
    clock[0] += timedelta(seconds=TIMING.analysis_timeout_seconds + 1)
    handlers.sweep(uow, Timing(TIMING.chunk_timeout_seconds, retention_hours=10**6))
    job = handlers.get_job(uow, job_id)
    assert job["status"] == "failed" and job["error"]["code"] == ANALYSIS_FAILED
    assert "in time" in job["error"]["message"] and analyses_sent(uow) == 0
