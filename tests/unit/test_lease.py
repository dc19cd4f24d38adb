"""The Redis lease and the schedule that runs a job only in the process holding it (fakeredis)."""

import threading
import time

import fakeredis
import pytest

from shared.lease import Lease, LeasedSchedule
from tests.processes import wait_until


@pytest.fixture
def server():
    return fakeredis.FakeServer()


def lease(server, token, seconds=10.0):
    return Lease(fakeredis.FakeRedis(server=server), "job:lease", seconds, token=token)


def test_one_process_holds_the_lease_and_keeps_it_while_it_renews(server):
    first, second = lease(server, "first"), lease(server, "second")
    assert first.keep() and not second.keep()
    assert first.keep() and not second.keep()
    assert first.client.get("job:lease") == b"first"


def test_a_lease_not_renewed_expires_and_another_process_takes_it(server):
    first, second = lease(server, "first", seconds=0.2), lease(server, "second", seconds=0.2)
    assert first.keep()
    time.sleep(0.3)
    assert second.keep()
    assert not first.keep(), "a holder that stalled past its time took the lease back"
    assert second.client.get("job:lease") == b"second"


def test_release_frees_the_lease_only_for_its_holder(server):
    first, second = lease(server, "first"), lease(server, "second")
    assert first.keep()
    second.release()
    assert not second.keep()
    first.release()
    assert second.keep()


def test_renewing_extends_the_lease_to_its_full_time(server):
    first = lease(server, "first", seconds=5)
    first.client.set("job:lease", "first", px=100)
    assert first.keep()
    assert first.client.pttl("job:lease") > 4000


class Counter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.count += 1


def test_only_the_schedule_holding_the_lease_runs_its_job_and_the_other_takes_over_when_it_stops(server):
    jobs = {name: Counter() for name in ("first", "second")}
    schedules = {name: LeasedSchedule(lease(server, name, seconds=1.0), 0.05, jobs[name], name=name)
                 for name in jobs}
    for schedule in schedules.values():
        schedule.start()
    try:
        wait_until(lambda: sum(job.count for job in jobs.values()) >= 5, 5, "the job to run")
        [holder] = [name for name, schedule in schedules.items() if schedule.holding]
        [other] = [name for name in jobs if name != holder]
        assert jobs[other].count == 0
        schedules[holder].stop()
        ran = jobs[holder].count
        wait_until(lambda: jobs[other].count >= 3, 5, "the other schedule to take over")
        assert jobs[holder].count == ran
    finally:
        for schedule in schedules.values():
            schedule.stop()


def test_a_failing_job_or_an_unreachable_redis_does_not_end_the_schedule(server):
    runs = []

    def failing():
        runs.append(1)
        raise RuntimeError("the job failed")

    schedule = LeasedSchedule(lease(server, "only"), 0.02, failing, name="failing")
    schedule.start()
    try:
        wait_until(lambda: len(runs) >= 3, 5, "the job to run again after failing")
        server.connected = False
        wait_until(lambda: not schedule.holding, 5, "the schedule to notice Redis is gone")
        server.connected = True
        done = len(runs)
        wait_until(lambda: len(runs) > done, 5, "the job to run again once Redis is back")
    finally:
        schedule.stop()
