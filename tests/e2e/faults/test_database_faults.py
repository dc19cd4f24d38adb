"""PostgreSQL and Redis restarted, down or wiped mid-import; each time the import completes, every
row once, every event on the stream and every student in the enrollments directory."""

import time

import pytest

from shared.config import EVENT_STREAM
from tests.e2e.faults.harness import import_students, wait_mid_import
from tests.e2e.faults.invariants import Students, assert_recovered, record_failure
from tests.processes import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


def test_postgres_restarted_mid_import(scenario):
    students = Students(first_code=400000, count=5000)
    system = scenario.open("PostgreSQL restart").system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    scenario.postgres.restart("fast")  # every session ended, then the server back
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic())


def test_postgres_down_for_ten_seconds_mid_import(scenario):
    students = Students(first_code=410000, count=4000)
    system = scenario.open("PostgreSQL outage 10 s").system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    scenario.postgres.stop("fast")
    time.sleep(10)
    scenario.postgres.start()
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic())


def test_redis_restarted_with_its_append_only_file_mid_import(scenario):
    students = Students(first_code=420000, count=5000)
    system = scenario.open("Redis restart (AOF)").system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    scenario.redis.restart()
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic())


def test_redis_wiped_mid_import_while_the_consumer_is_down(scenario):
    """A Redis without persistence restarts empty: queues, the stream, the consumer group and its
    processed ids gone. After the fix the users relay publishes its log again and the consumer
    recreates its group, so the directory ends complete."""
    students = Students(first_code=430000, count=4000)
    system = scenario.open("Redis wiped, consumer down", redis_append_only=False).system
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    system.stop("enrollments-consumer")
    scenario.redis.restart_empty()
    system.start("enrollments-consumer")
    assert_recovered(scenario, job["id"], students, healed_at=time.monotonic())


def test_the_consumer_survives_postgres_going_down_while_it_has_events_to_handle(scenario):
    students = Students(first_code=440000, count=4000)
    system = scenario.open("consumer across PostgreSQL restart").system
    client = scenario.redis.client()
    job = import_students(system, students)
    wait_mid_import(system, job["id"])
    system.pause("enrollments-consumer")
    published = client.xlen(EVENT_STREAM)
    wait_until(lambda: client.xlen(EVENT_STREAM) > published, 60, "events the frozen consumer has not read")
    scenario.postgres.stop("fast")
    system.resume("enrollments-consumer")  # it reads those events and cannot store them
    time.sleep(3)
    scenario.postgres.start()
    healed_at = time.monotonic()
    try:
        time.sleep(1)
        consumer = system.processes["enrollments-consumer"]
        assert consumer.poll() is None, f"the consumer exited with {consumer.returncode} while PostgreSQL was down"
    except AssertionError as error:
        record_failure(scenario, students.count, error)
        raise
    assert_recovered(scenario, job["id"], students, healed_at=healed_at)
