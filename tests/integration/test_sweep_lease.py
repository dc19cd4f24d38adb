"""The importer's sweep without a beat: real importer workers on a real Redis share one lease."""

import os
import re
import signal
import time

import pytest
import redis

from services.importer.bootstrap import migrate
from services.importer.sweeping import SWEEP_LEASE_KEY, SWEEP_LEASE_ROUNDS
from shared.config import Settings
from tests.processes import console_script, start, stop, wait_until

SWEEP_SECONDS = 0.5
LEASE_SECONDS = SWEEP_LEASE_ROUNDS * SWEEP_SECONDS
TOOK_THE_LEASE = f"took the lease {SWEEP_LEASE_KEY}"
SWEEP_RECEIVED = re.compile(r"Task importer\.sweep\[[^\]]+\] received")


@pytest.fixture
def worker_env(redis_url, tmp_path):
    redis.Redis.from_url(redis_url).flushdb()
    env = {"REDIS_URL": redis_url, "IMPORTER_DATABASE_URL": f"sqlite:///{tmp_path / 'importer.sqlite3'}",
           "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SWEEP_SECONDS": str(SWEEP_SECONDS), "PORTAL_FAULT": "",
           "PORTAL_SECRET_KEY": "sweep-lease-secret-key-that-is-long-enough-0123"}
    migrate(Settings.from_env(env))
    return env


def start_importer_worker(env, log, name):
    return start([*console_script("celery"), "-A", "services.importer.worker", "worker", "-Q", "importer",
                  "-n", f"{name}@%h", "--pool", "solo", "--concurrency", "1", "--without-gossip",
                  "--without-mingle", "-l", "info"], env, log)


def holder_pid(client) -> int | None:
    token = client.get(SWEEP_LEASE_KEY)
    return int(token.decode().split(":")[1]) if token else None


def text(path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def sweeps(log) -> int:
    return len(SWEEP_RECEIVED.findall(text(log)))


def test_one_importer_worker_at_a_time_sends_the_sweep_and_another_takes_over_when_it_is_killed(worker_env, tmp_path):
    client = redis.Redis.from_url(worker_env["REDIS_URL"])
    logs = {name: tmp_path / f"{name}.log" for name in ("importer-a", "importer-b")}
    workers = {name: start_importer_worker(worker_env, log, name) for name, log in logs.items()}
    try:
        wait_until(lambda: all("ready." in text(log) for log in logs.values()), 60, "both workers to be ready")
        wait_until(lambda: holder_pid(client), 10, "a worker to take the sweep lease")
        [holder] = [name for name, process in workers.items() if process.pid == holder_pid(client)]
        [other] = [name for name in workers if name != holder]

        # Several lease times: the holder renews, the other never gets it, and the sweeps run.
        time.sleep(3 * LEASE_SECONDS)
        assert workers[holder].pid == holder_pid(client)
        assert TOOK_THE_LEASE in text(logs[holder]) and TOOK_THE_LEASE not in text(logs[other])
        swept = sum(sweeps(log) for log in logs.values())
        assert swept >= 3
        # One sender: about one sweep a round, not one per worker.
        assert swept <= (3 * LEASE_SECONDS + 15) / SWEEP_SECONDS, swept

        os.killpg(workers[holder].pid, signal.SIGKILL)
        workers[holder].wait(timeout=10)
        killed_at = time.monotonic()
        wait_until(lambda: holder_pid(client) == workers[other].pid, LEASE_SECONDS + 5, "the other to take over")
        assert time.monotonic() - killed_at <= LEASE_SECONDS + 2 * SWEEP_SECONDS + 1
        assert TOOK_THE_LEASE in text(logs[other])
        swept_by_other = sweeps(logs[other])
        wait_until(lambda: sweeps(logs[other]) >= swept_by_other + 3, 10,
                   "the survivor to go on sweeping")
    finally:
        for process in workers.values():
            stop(process)
    assert all("Unrecoverable" not in text(log) for log in logs.values())


def test_a_stopped_worker_hands_the_lease_on_at_once(worker_env, tmp_path):
    client = redis.Redis.from_url(worker_env["REDIS_URL"])
    worker = start_importer_worker(worker_env, tmp_path / "importer.log", "importer-a")
    try:
        wait_until(lambda: holder_pid(client) == worker.pid, 60, "the worker to take the sweep lease")
    finally:
        assert stop(worker) == 0
    assert client.get(SWEEP_LEASE_KEY) is None
