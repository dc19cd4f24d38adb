"""What every fault scenario asserts once its fault has healed, and the time the system took.

The job completes within a bound after the fault heals; every row is applied once (the users
database has each student exactly once and the job's counts add up to the file's rows); every
student's student.created event is on `portal:events` once (one envelope id per code); the
enrollments service's student directory has every student; and for an enrollment import, every
enrollment is there once.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass

from shared.config import EVENT_STREAM
from shared.events.envelope import EVENT_FIELD, STUDENT_CREATED
from tests.e2e.faults.harness import Scenario, status_of
from tests.processes import wait_until

RECOVERY_BOUND_SECONDS = 90.0  # from the fault healing to the job completed
SETTLE_SECONDS = 15.0  # for the events and the directory to catch up once the job has completed


@dataclass(frozen=True)
class Recovery:
    scenario: str
    seconds: float | None  # None: it did not recover
    rows: int
    outcome: str


RECOVERIES: list[Recovery] = []  # every scenario's, printed at the end of the session (conftest.py)


@dataclass(frozen=True)
class Students:
    """The students of an exported file: `count` codes from `first_code` on."""

    first_code: int
    count: int

    @property
    def codes(self) -> set[str]:
        return {str(code) for code in range(self.first_code, self.first_code + self.count)}

    @property
    def code_range(self) -> dict[str, str]:
        """Bounds for `code BETWEEN :lo AND :hi` (codes of one length compare as numbers do)."""
        return {"lo": str(self.first_code), "hi": str(self.first_code + self.count - 1)}


def assert_recovered(scenario: Scenario, job_id: str, students: Students, healed_at: float,
                     enrollment_project: str | None = None, bound: float = RECOVERY_BOUND_SECONDS) -> Recovery:
    """Assert every invariant for the job that ran through the fault; record the time to recover."""
    try:
        seconds = _completed_within(scenario, job_id, students.count, healed_at, bound)
        problems = [
            *_each_student_once(scenario, students),
            *_each_event_once(scenario, students),
            *_directory_complete(scenario, students),
            *(_each_enrollment_once(scenario, students, enrollment_project) if enrollment_project else []),
        ]
        assert not problems, "after the job completed: " + "; ".join(problems)
    except AssertionError as error:
        RECOVERIES.append(Recovery(scenario.name, None, students.count, _first_line(error)))
        raise
    recovery = Recovery(scenario.name, seconds, students.count, "recovered")
    RECOVERIES.append(recovery)
    return recovery


def record_failure(scenario: Scenario, rows: int, error: BaseException) -> None:
    RECOVERIES.append(Recovery(scenario.name, None, rows, _first_line(error)))


def _completed_within(scenario: Scenario, job_id: str, rows: int, healed_at: float, bound: float) -> float:
    system = scenario.system
    deadline = healed_at + bound
    job: dict = {}
    while time.monotonic() < deadline:
        try:
            job = status_of(system, job_id)
        except OSError:  # the API itself may still be coming back
            job = {}
        if job.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.1)
    seconds = time.monotonic() - healed_at
    assert job.get("status") == "completed", (
        f"job not completed {bound:.0f}s after the fault healed: status {job.get('status')}, "
        f"progress {job.get('progress')}, counts {job.get('counts')}, error {job.get('error')}"
    )
    counts = job["counts"]
    assert sum(counts.values()) == rows and counts["create"] == rows, f"counts do not add up to {rows}: {counts}"
    return seconds


def _each_student_once(scenario: Scenario, students: Students) -> list[str]:
    stored, distinct = (scenario.system.scalar("USERS", query, **students.code_range) for query in (
        "SELECT count(*) FROM users WHERE is_student AND code BETWEEN :lo AND :hi",
        "SELECT count(DISTINCT code) FROM users WHERE is_student AND code BETWEEN :lo AND :hi"))
    if stored == distinct == students.count:
        return []
    return [f"users database has {stored} students ({distinct} distinct codes), not {students.count}"]


def created_event_ids_per_code(scenario: Scenario, codes: set[str]) -> dict[str, set[str]]:
    ids_by_code: dict[str, set[str]] = {}
    for _, fields in scenario.redis.client().xrange(EVENT_STREAM):
        if not fields:
            continue
        event = json.loads(fields[EVENT_FIELD.encode()])
        if event["type"] == STUDENT_CREATED and event["data"]["code"] in codes:
            ids_by_code.setdefault(event["data"]["code"], set()).add(event["id"])
    return ids_by_code


def _each_event_once(scenario: Scenario, students: Students) -> list[str]:
    codes = students.codes
    try:
        wait_until(lambda: len(created_event_ids_per_code(scenario, codes)) == students.count, SETTLE_SECONDS,
                   "every student.created event")
    except AssertionError:
        pass
    ids_by_code = created_event_ids_per_code(scenario, codes)
    per_code = Counter(len(ids) for ids in ids_by_code.values())
    if len(ids_by_code) == students.count and per_code == Counter({1: students.count}):
        return []
    return [f"{EVENT_STREAM} has student.created for {len(ids_by_code)} of {students.count} students "
            f"(envelope ids per code: {dict(per_code)})"]


def _directory_complete(scenario: Scenario, students: Students) -> list[str]:
    def known() -> int:
        return scenario.system.scalar("ENROLLMENTS", "SELECT count(*) FROM students WHERE is_student "
                                      "AND code BETWEEN :lo AND :hi", **students.code_range)

    try:
        wait_until(lambda: known() == students.count, SETTLE_SECONDS, "the student directory")
    except AssertionError:
        return [f"the enrollments directory knows {known()} of {students.count} students"]
    return []


def _each_enrollment_once(scenario: Scenario, students: Students, project: str) -> list[str]:
    stored, distinct = (scenario.system.scalar("ENROLLMENTS", query, p=project, **students.code_range) for query in (
        "SELECT count(*) FROM enrollments WHERE schedule_project = :p AND student BETWEEN :lo AND :hi",
        "SELECT count(DISTINCT student) FROM enrollments WHERE schedule_project = :p AND student BETWEEN :lo AND :hi"))
    if stored == distinct == students.count:
        return []
    return [f"{stored} enrollments ({distinct} distinct students) in {project}, not {students.count}"]


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
