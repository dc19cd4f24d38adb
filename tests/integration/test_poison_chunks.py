"""A chunk the users service raises on, against real databases: retried whole a few times, then
decided row by row, so one bad row is an error and the others are applied, each exactly once."""

from dataclasses import replace

import pytest
import sqlalchemy.exc

from services.users import handlers
from services.users.bootstrap import build_service, migrate
from shared.chunk_task import decide_chunk
from shared.config import EVENT_STREAM
from shared.faults import FAULT_ENV
from shared.messages import ROW_BY_ROW_ATTEMPT, ROW_FAILED
from tests.integration.conftest import with_manager
from tests.integration.test_user_rows import actions, chunk, rows

CODES = ("500001", "500002", "500003", "500004")


@pytest.fixture
def apply(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    return lambda message: handlers.apply_user_rows(service.unit_of_work(), message)


def students(apply) -> set[str]:
    planned = apply(chunk(rows(*CODES), dry_run=True, job_id="look"))
    return {code for code, row in zip(CODES, planned.rows, strict=True) if row.action == "skip"}


def test_a_failing_chunk_is_reported_then_decided_row_by_row_and_only_the_bad_row_fails(apply, redis_client,
                                                                                       monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "row.raises:500003")
    message = chunk(rows(*CODES))
    early = decide_chunk(apply, message)
    assert early.failure == "InjectedFault" and early.rows == [] and students(apply) == set()
    late = decide_chunk(apply, replace(message, attempt=ROW_BY_ROW_ATTEMPT))
    assert actions(late) == ["create", "create", "error", "create"]
    assert late.rows[2].reason == ROW_FAILED and late.rows[2].line == 4 and not late.rows[2].applied
    assert students(apply) == {"500001", "500002", "500004"}
    assert redis_client.xlen(EVENT_STREAM) == 3


def test_a_whole_delivery_after_row_by_row_applies_nothing_twice(apply, redis_client, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "row.raises:500003")
    message = chunk(rows(*CODES))
    first = decide_chunk(apply, replace(message, attempt=ROW_BY_ROW_ATTEMPT))
    monkeypatch.setenv(FAULT_ENV, "")  # whatever made the row fail is gone: a late whole delivery
    again = decide_chunk(apply, message)
    assert [row.action for row in again.rows[:2]] == ["create", "create"] and again.rows[3] == first.rows[3]
    assert actions(again)[2] == "create"  # the row that failed had changed nothing: it is applied now, once
    assert redis_client.xlen(EVENT_STREAM) == 4
    assert decide_chunk(apply, message).rows == again.rows[:2] + [again.rows[2], again.rows[3]]
    assert redis_client.xlen(EVENT_STREAM) == 4


def test_a_dry_run_is_decided_row_by_row_too(apply, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "row.raises:500001")
    planned = decide_chunk(apply, chunk(rows(*CODES), dry_run=True, attempt=ROW_BY_ROW_ATTEMPT))
    assert actions(planned) == ["error", "create", "create", "create"] and planned.rows[0].reason == ROW_FAILED
    assert students(apply) == set()


def test_an_infrastructure_error_is_raised_never_blamed_on_a_row(monkeypatch):
    def unreachable(message):
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionError("database restarting"))

    with pytest.raises(sqlalchemy.exc.OperationalError):
        decide_chunk(unreachable, chunk(rows(*CODES), attempt=ROW_BY_ROW_ATTEMPT))


def test_a_nul_character_in_any_cell_is_a_row_error_not_a_database_error(apply):
    cells = [{"code": "500001\x00"}, {"code": "500002", "first_name": "Zo\x00ë"},
             {"code": "500003", "last_name": "\x00"}, {"code": "500004", "email": "a\x00@school.nl"},
             {"code": "500005", "password": "geheim\x00geheim"}, {"code": "500006", "login_method": "sso\x00"}]
    message = chunk([(line, values) for line, values in enumerate(cells, start=2)])
    assert actions(apply(replace(message, dry_run=True))) == ["error"] * len(cells)
    assert actions(apply(message)) == ["error"] * len(cells)
