"""A users worker frozen (SIGSTOP) inside a chunk's transaction, holding that chunk's locks, against real
PostgreSQL, Redis and workers: every resend of its chunk gives up on the locks within the lock timeout
instead of taking a worker for good, so an unrelated import completes meanwhile; the server ends the
frozen session after the idle-in-transaction timeout, and the frozen import completes too, each row
applied once, even after the frozen worker wakes up."""

import os
import signal

import psutil
import pytest
import redis

from shared.messages import ROW_BY_ROW_ATTEMPT
from tests.dutch_files import export_bytes
from tests.e2e.system import running_system
from tests.processes import wait_until

FROZEN_CODE = 880001
IDLE_SECONDS = 30


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    tmp_path = tmp_path_factory.mktemp("system")
    with running_system(tmp_path, redis_url, PORTAL_FAULT=f"row.freezes:{FROZEN_CODE}",
                        PORTAL_CHUNK_TIMEOUT_SECONDS="3", PORTAL_DB_LOCK_TIMEOUT_SECONDS="1",
                        PORTAL_DB_IDLE_IN_TRANSACTION_SECONDS=str(IDLE_SECONDS)) as running:
        yield running


def frozen_worker_children(system) -> list[psutil.Process]:
    master = psutil.Process(system.processes["users-worker"].pid)
    return [child for child in master.children(recursive=True) if child.status() == psutil.STATUS_STOPPED]


def attempts(system, job_id) -> int:
    return system.scalar("IMPORTER", "SELECT max(attempts) FROM import_chunks WHERE job_id = :j", j=job_id) or 0


def students_with_prefix(system, prefix: str) -> int:
    return system.scalar("USERS", "SELECT count(*) FROM users WHERE code LIKE :p AND is_student", p=f"{prefix}%")


def test_an_import_completes_while_a_frozen_worker_holds_another_imports_rows(system):
    frozen_job = system.upload(export_bytes(10, first_code=FROZEN_CODE), kind="users", as_student=True, start=True)
    [frozen] = wait_until(lambda: frozen_worker_children(system), 60, "a users worker frozen in its transaction")
    # Its chunk is sent again after the chunk timeout, twice, each time to the worker that is left.
    wait_until(lambda: attempts(system, frozen_job["id"]) >= ROW_BY_ROW_ATTEMPT, 20, "the frozen chunk sent again")

    unrelated = system.upload(export_bytes(3000, first_code=890000), kind="users", as_student=True, start=True)
    # Without a lock timeout the resends of the frozen chunk take the other worker, each waiting for ever.
    done = system.wait_for_status(unrelated["id"], ("completed",), timeout=10)
    assert done["counts"]["create"] == 3000 and students_with_prefix(system, "89") == 3000
    assert frozen_worker_children(system) == [frozen] and students_with_prefix(system, "8800") == 0  # still held

    # The server ends the frozen session (its rows were never committed) and a resend applies them.
    finished = system.wait_for_status(frozen_job["id"], ("completed",), timeout=90)
    assert finished["counts"]["create"] == 10 and students_with_prefix(system, "8800") == 10

    os.kill(frozen.pid, signal.SIGCONT)  # the frozen worker wakes up: its transaction is gone, nothing twice
    wait_until(lambda: not frozen_worker_children(system), 10, "the frozen worker to run again")
    assert students_with_prefix(system, "8800") == 10
    assert system.get(f"/api/v1/imports/{frozen_job['id']}")[1]["counts"] == finished["counts"]
