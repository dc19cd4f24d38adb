"""The whole system through Redis faults, on a Redis of its own that the tests stop, start again and
wipe: /health and requests with a token are answered as soon as Redis is back, and the enrollments
service knows the students created after it."""

import time
from pathlib import Path

import pytest
import redis

from tests.dutch_files import DEPARTMENTS, export_text
from tests.e2e.system import running_system
from tests.processes import http, wait_until
from tests.services import RedisServer

PROJECT = "2030-2031"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_server):
    tmp_path = tmp_path_factory.mktemp("system")
    with running_system(tmp_path, redis_server.url) as running:
        yield running


def seconds_until_ok(system, path: str, token: str | None = None, limit: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if http("GET", f"{system.base}{path}", token=token, timeout=5)[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    return limit


def test_health_and_tokens_are_answered_as_soon_as_redis_is_back(system, redis_server):
    token = system.token
    redis_server.stop()
    time.sleep(7)  # long enough for the copy of ended sessions to go stale (3 s) and workers to retry
    assert http("GET", f"{system.base}/api/v1/schedule-projects", token=token)[0] == 503
    assert http("GET", f"{system.base}/health")[0] == 503
    redis_server.start()
    assert seconds_until_ok(system, "/api/v1/schedule-projects", token) < 1.0
    # The gateway's check pings every queue's worker and waits a second for the answers.
    assert seconds_until_ok(system, "/health") < 2.5


def test_a_student_created_after_a_redis_restart_is_known_to_an_enrollment_import(system, redis_server):
    redis_server.restart()
    setup_project(system)
    for code in ("310001", "310002"):
        assert system.post("/api/v1/users", {"code": code, "is_student": True})[0] == 201
    content = export_text([["310001", "h1"], ["310002", "h2"]], header=["Leerlingnummer", "Afdeling"]).encode()
    job = system.upload(content, start=True, kind="enrollments", schedule_project=PROJECT)
    done = system.wait_for_status(job["id"], ("completed", "failed"), timeout=120)
    assert done["status"] == "completed" and done["counts"]["create"] == 2, done


def test_students_created_after_redis_lost_its_data_are_known_by_hand_by_import_and_to_the_consumer(
        system, redis_server):
    """Last in this module: FLUSHALL takes the workers' queues with it too."""
    redis.Redis.from_url(redis_server.url).flushall()
    assert system.post("/api/v1/users", {"code": "320001", "is_student": True})[0] == 201
    status, body = system.post(f"/api/v1/schedule-projects/{PROJECT}/enrollments",
                               {"student": "320001", "department": "h1"})
    assert status == 201, body
    assert system.post("/api/v1/users", {"code": "320002", "is_student": True})[0] == 201
    content = export_text([["320002", "h2"]], header=["Leerlingnummer", "Afdeling"]).encode()
    job = system.upload(content, start=True, kind="enrollments", schedule_project=PROJECT)
    done = system.wait_for_status(job["id"], ("completed", "failed"), timeout=120)
    assert done["status"] == "completed" and done["counts"]["create"] == 1, done
    assert system.post("/api/v1/users", {"code": "320003", "is_student": True})[0] == 201
    wait_until(lambda: system.scalar("ENROLLMENTS", "SELECT count(*) FROM students WHERE code = '320003'") == 1,
               20, "the consumer to follow the stream again")
    assert system.processes["enrollments-consumer"].poll() is None
    # The group is made again by whichever comes first: the consumer on NOGROUP, or the service's
    # own catch-up before the enrollment by hand; either way the consumer goes on without a crash.
    assert "Traceback" not in Path(system.tmp_path / "enrollments-consumer.log").read_text()


def setup_project(system):
    project = {"code": PROJECT, "name": "havo/vwo", "school_year": "2030-2031"}
    assert system.post("/api/v1/schedule-projects", project)[0] == 201
    for department in DEPARTMENTS:
        body = {"code": department, "name": department, "year_of_education": int(department[1:])}
        assert system.post(f"/api/v1/schedule-projects/{PROJECT}/departments", body)[0] == 201
