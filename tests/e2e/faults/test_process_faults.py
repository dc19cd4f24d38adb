"""Processes of the system killed or frozen mid-import; each time the import completes, every row once."""

import time

import pytest

from shared.messages import APPLY_ENROLLMENT_ROWS, APPLY_USER_ROWS
from tests.e2e.faults.harness import (
    CHUNK_TIMEOUT_SECONDS,
    PROJECT,
    import_enrollments,
    import_students,
    wait_mid_import,
    wait_worker_holds,
)
from tests.e2e.faults.invariants import Students, assert_recovered
from tests.e2e.test_import_failures import most_attempts

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

STUDENTS = Students(first_code=300000, count=5000)


@pytest.mark.parametrize("kind", ["importer-worker", "relay", "enrollments-consumer", "gateway"])
def test_a_process_killed_mid_import_is_started_again_and_the_import_completes_once(scenario, kind):
    system = scenario.open(f"SIGKILL {kind}").system
    job = import_students(system, STUDENTS)
    wait_mid_import(system, job["id"])
    system.kill(kind)
    system.start(kind)
    assert_recovered(scenario, job["id"], STUDENTS, healed_at=time.monotonic())


def test_a_users_worker_killed_with_a_chunk_in_hand_has_it_sent_again_and_applied_once(scenario):
    system = scenario.open("SIGKILL users-worker").system
    job = import_students(system, STUDENTS)
    wait_mid_import(system, job["id"])
    wait_worker_holds(scenario, APPLY_USER_ROWS)
    system.kill("users-worker")
    system.start("users-worker")
    assert_recovered(scenario, job["id"], STUDENTS, healed_at=time.monotonic())
    assert most_attempts(system, job["id"]) >= 2, "no chunk was sent again: the worker held none when killed"


def test_an_enrollments_worker_killed_mid_enrollment_import_leaves_every_enrollment_once(scenario):
    students = Students(first_code=310000, count=4000)
    system = scenario.open("SIGKILL enrollments-worker").system
    users = import_students(system, students)
    system.wait_for_status(users["id"], ("completed",), timeout=120)
    job = import_enrollments(system, students)
    wait_mid_import(system, job["id"])
    wait_worker_holds(scenario, APPLY_ENROLLMENT_ROWS)
    system.kill("enrollments-worker")
    system.start("enrollments-worker")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic(), enrollment_project=PROJECT)


def test_a_users_worker_frozen_longer_than_the_chunk_timeout_applies_every_row_once_when_it_thaws(scenario):
    students = Students(first_code=320000, count=4000)
    system = scenario.open("SIGSTOP users-worker 10 s").system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    wait_worker_holds(scenario, APPLY_USER_ROWS)
    system.pause("users-worker")
    time.sleep(CHUNK_TIMEOUT_SECONDS * 2)  # the sweep sends the frozen worker's chunks again meanwhile
    system.resume("users-worker")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic())
    assert most_attempts(system, job["id"]) >= 2, "no chunk was sent again while the worker was frozen"


def test_without_a_beat_a_users_worker_killed_mid_import_still_lets_the_import_complete(scenario):
    """The sweep runs inside the importer worker (under a lease): there is no beat process to lose."""
    students = Students(first_code=330000, count=4000)
    system = scenario.open("no beat, SIGKILL users-worker").system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    wait_worker_holds(scenario, APPLY_USER_ROWS)
    system.kill("users-worker")
    system.start("users-worker")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic(), bound=30)
