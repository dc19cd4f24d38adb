"""Processes of the system killed or frozen mid-import; each time the import completes, every row once."""

import time

import pytest

from tests.e2e.faults.harness import (
    CHUNK_TIMEOUT_SECONDS,
    PROJECT,
    import_enrollments,
    import_students,
    status_of,
    wait_mid_import,
)
from tests.e2e.faults.invariants import Students, assert_recovered, record_failure

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

STUDENTS = Students(first_code=300000, count=5000)


@pytest.mark.parametrize("kind", ["users-worker", "importer-worker", "relay", "enrollments-consumer", "gateway"])
def test_a_process_killed_mid_import_is_started_again_and_the_import_completes_once(scenario, kind):
    system = scenario.open(f"SIGKILL {kind}").system
    job = import_students(system, STUDENTS)
    wait_mid_import(system, job["id"])
    system.kill(kind)
    system.start(kind)
    assert_recovered(scenario, job["id"], STUDENTS, healed_at=time.monotonic())


def test_an_enrollments_worker_killed_mid_enrollment_import_leaves_every_enrollment_once(scenario):
    students = Students(first_code=310000, count=4000)
    system = scenario.open("SIGKILL enrollments-worker").system
    users = import_students(system, students)
    system.wait_for_status(users["id"], ("completed",), timeout=120)
    job = import_enrollments(system, students)
    wait_mid_import(system, job["id"])
    system.kill("enrollments-worker")
    system.start("enrollments-worker")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic(), enrollment_project=PROJECT)


def test_a_users_worker_frozen_longer_than_the_chunk_timeout_applies_every_row_once_when_it_thaws(scenario):
    students = Students(first_code=320000, count=4000)
    system = scenario.open("SIGSTOP users-worker 10 s").system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    system.pause("users-worker")
    time.sleep(CHUNK_TIMEOUT_SECONDS * 2)  # the sweep sends the frozen worker's chunks again meanwhile
    system.resume("users-worker")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic())


@pytest.mark.xfail(raises=AssertionError, strict=False,
                   reason="on main only a beat sends the sweep: without one a lost chunk is never sent again")
def test_without_a_beat_a_users_worker_killed_mid_import_still_lets_the_import_complete(scenario):
    """After the fix the sweep runs inside the importer workers (under a lease): no beat process."""
    students = Students(first_code=330000, count=4000)
    system = scenario.open("no beat, SIGKILL users-worker", beat=False).system
    job = import_students(system, students)
    try:
        wait_mid_import(system, job["id"])
    except AssertionError as error:
        record_failure(scenario, students.count, error)
        raise
    system.kill("users-worker")
    system.start("users-worker")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic(), bound=60)
    assert status_of(system, job["id"])["status"] == "completed"
