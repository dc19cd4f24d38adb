"""A chunk whose users another transaction holds locked (a worker frozen inside its transaction) fails
fast, on every attempt, as an infrastructure error: never a row error, never a worker held for long;
other chunks go on, and once the server ends the idle holder, the chunk applies (real PostgreSQL)."""

import time
from dataclasses import replace

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from services.users import handlers
from services.users.bootstrap import build_service, migrate
from shared.chunk_task import decide_chunk
from shared.config import SessionLimits, Settings
from shared.db import make_engine
from shared.messages import ROW_BY_ROW_ATTEMPT
from tests.integration.conftest import with_manager
from tests.integration.test_user_rows import actions, chunk, rows
from tests.services import fresh_postgres_database

LOCKED = ("600001", "600002", "600003")
OTHERS = ("600101", "600102")


@pytest.fixture
def users(tmp_path, redis_client):
    with fresh_postgres_database() as url:
        settings = Settings.from_env({
            "PORTAL_DATA_DIR": str(tmp_path), "USERS_DATABASE_URL": url, "REDIS_URL": "redis://unused",
            "PORTAL_SECRET_KEY": "locked-rows-secret-key-0123456789abcdef", "PORTAL_DB_LOCK_TIMEOUT_SECONDS": "0.5",
        })
        migrate(settings)
        service = with_manager(build_service(settings, redis_client))
        yield service, url
        service.engine.dispose()


def test_a_chunk_whose_rows_are_locked_fails_fast_on_every_attempt_and_applies_once_they_are_free(users):
    service, url = users

    def apply(message):
        return handlers.apply_user_rows(service.unit_of_work(), message)

    assert actions(apply(chunk(rows(*LOCKED), job_id="earlier"))) == ["create"] * 3
    update = chunk(rows(*LOCKED, first_name="Sanne"), mode="update", job_id="update")
    # The frozen worker: a session that took the users' row locks and then stopped, idle in its transaction.
    frozen = make_engine(url, SessionLimits(lock_timeout_seconds=0, statement_timeout_seconds=0,
                                            idle_in_transaction_seconds=4))
    holder = frozen.connect()
    holder.execute(text("SELECT code FROM users WHERE code IN ('600001', '600002', '600003') FOR UPDATE"))
    started = time.monotonic()

    for attempt in (1, 2, ROW_BY_ROW_ATTEMPT, ROW_BY_ROW_ATTEMPT + 1):
        tried = time.monotonic()
        with pytest.raises(sqlalchemy.exc.OperationalError, match="lock timeout"):
            decide_chunk(apply, replace(update, attempt=attempt))
        assert time.monotonic() - tried < 3, f"attempt {attempt} waited for the locks"
    # Meanwhile an unrelated chunk is applied, and the locked one changed nothing.
    assert actions(decide_chunk(apply, chunk(rows(*OTHERS), job_id="unrelated"))) == ["create", "create"]
    assert {handlers.get_user(service.unit_of_work(), code)["first_name"] for code in LOCKED} == {"Noor"}

    assert time.monotonic() - started < 4, "the holder must still be holding its locks up to here"
    time.sleep(max(0.0, 4.5 - (time.monotonic() - started)))  # the server ends the idle holder
    applied = decide_chunk(apply, replace(update, attempt=ROW_BY_ROW_ATTEMPT + 2))
    assert actions(applied) == ["update"] * 3 and all(row.applied for row in applied.rows)
    assert {handlers.get_user(service.unit_of_work(), code)["first_name"] for code in LOCKED} == {"Sanne"}
    with pytest.raises(sqlalchemy.exc.OperationalError, match="idle-in-transaction"):
        holder.execute(text("SELECT 1"))
    holder.close()
    frozen.dispose()
