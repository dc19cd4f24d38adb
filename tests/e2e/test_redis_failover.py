"""Redis fails over under a running import: a Sentinel set (primary, replica, three sentinels) whose
primary is killed mid-import, with the whole system running as real processes against it."""

import json
import time

import pytest

from shared.config import EVENT_STREAM
from shared.redis_client import redis_client
from tests.dutch_files import export_text, student_rows
from tests.e2e.system import running_system
from tests.processes import wait_until
from tests.services import sentinel_redis

STUDENTS = 6000
FIRST_CODE = 500000


@pytest.fixture
def sentinels():
    with sentinel_redis() as running:
        yield running


@pytest.fixture
def system(tmp_path, sentinels):
    with running_system(tmp_path, sentinels.url) as running:
        yield running


def job_of(system, job_id):
    """The job as the API shows it, or None while the API cannot answer (during the failover)."""
    status, job = system.get(f"/api/v1/imports/{job_id}")
    return job if status == 200 else None


def finished(job):
    return job if job and job["status"] not in ("analyzing", "ready", "queued", "running") else None


def students_created_on_the_stream(url):
    """The student codes of every student.created event on the stream, as often as it is there."""
    with redis_client(url) as client:
        events = [json.loads(fields[b"event"]) for _, fields in client.xrange(EVENT_STREAM)]
    return [event["data"]["code"] for event in events if event["type"] == "student.created"]


def test_an_import_survives_the_redis_primary_being_killed_mid_import(system, sentinels):
    codes = [str(FIRST_CODE + number) for number in range(STUDENTS)]
    job = system.upload(export_text(student_rows(STUDENTS, first_code=FIRST_CODE)).encode(), kind="users",
                        as_student=True)
    ready = system.wait_for_status(job["id"], ("ready",), timeout=60)
    assert ready["counts"]["create"] == STUDENTS
    old_primary = sentinels.primary_port()

    assert system.post(f"/api/v1/imports/{job['id']}/start")[0] == 202
    wait_until(lambda: (job_of(system, job["id"]) or {}).get("progress", {}).get("processed"), 30,
               "the first chunk to be applied", interval=0.02)
    applied_before_the_kill = job_of(system, job["id"])["progress"]["processed"]
    killed_at = time.monotonic()
    sentinels.kill_primary()

    wait_until(lambda: sentinels.primary_port() != old_primary, 30, "the sentinels to promote the replica")
    failed_over_after = time.monotonic() - killed_at
    done = wait_until(lambda: finished(job_of(system, job["id"])), 90, "the import to finish after the failover")
    print(f"applied before the kill: {applied_before_the_kill}/{STUDENTS}; promoted after "
          f"{failed_over_after:.1f} s; completed {time.monotonic() - killed_at:.1f} s after the kill")

    assert applied_before_the_kill < STUDENTS  # the kill really came mid-import
    assert done["status"] == "completed", done
    assert done["counts"]["create"] == STUDENTS and done["progress"] == {"processed": STUDENTS, "total": STUDENTS}
    rows = system.all_rows(job["id"])
    assert sorted(row["values"]["code"] for row in rows) == codes  # every row once
    assert all(row["applied"] for row in rows)
    assert system.scalar("USERS", "SELECT count(*) FROM users WHERE code >= :first AND code < :last",
                         first=codes[0], last=str(FIRST_CODE + STUDENTS)) == STUDENTS

    def every_event_on_the_stream():
        published = students_created_on_the_stream(sentinels.url)
        return sorted(set(published)) == codes and published

    try:
        published = wait_until(every_event_on_the_stream, 20, "every student's event on the promoted primary's stream")
    except AssertionError:
        published = students_created_on_the_stream(sentinels.url)
        missing = sorted(set(codes) - set(published))
        pytest.fail(f"{len(missing)} of {STUDENTS} student.created events are not on the stream after the "
                    f"failover (first missing {missing[:5]}, last {missing[-5:]})")
    print(f"{len(published)} student.created events on the stream for {STUDENTS} students")

    # The consumer followed the stream across the failover: the directory knows every student.
    wait_until(lambda: system.scalar("ENROLLMENTS", "SELECT count(*) FROM students WHERE code >= :first",
                                     first=codes[0]) == STUDENTS, 30, "the enrollments directory to catch up")
