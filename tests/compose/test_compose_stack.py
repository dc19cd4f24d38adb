"""docker-compose.yml started for real: the images built here (deploy/local-images/), every service in
its own container, used only through the gateway as a school would.

Needs root (it installs Docker from Debian's packages when missing and starts an engine of its own).
The first run builds the images (minutes); later runs reuse them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from portal.client import PortalClient
from shared.redis_client import redis_client
from tests.compose.engine import private_engine
from tests.compose.stack import ROOT, Stack, prepared_stack
from tests.processes import http, wait_until

pytestmark = pytest.mark.compose

STUDENTS = 10_000
CRASHED_IMPORT = 50_000  # long enough (about 10 chunks) to be under way when its worker is killed
EVENT_STREAM = "portal:events"


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("compose")
    with private_engine(folder / "dockerd.log") as environment:
        images = json.loads(subprocess.run([sys.executable, str(ROOT / "deploy/local-images/build.py")],
                                           env=environment, capture_output=True, text=True, check=True).stdout)
        running = prepared_stack(folder, environment, images)
        try:
            started = time.monotonic()
            running.up()
            print(f"\ncompose stack healthy {time.monotonic() - started:.1f} s after `up`")
            yield running
        finally:
            (folder / "stack.log").write_text(running.compose("logs", "--no-color", timeout=120))
            running.compose("down", "-v", "--remove-orphans")


@pytest.fixture(scope="module")
def admin_password(stack) -> str:
    password = generated_password(stack.compose("logs", "--no-color", "migrate"))
    assert password, "no generated password in the migrate container's log"
    return password


@pytest.fixture(scope="module")
def admin(stack, admin_password) -> PortalClient:
    client = PortalClient(stack.url)
    client.login("admin", admin_password)
    return client


def generated_password(migrate_log: str) -> str | None:
    """The first application manager's password, printed once by `portal create-admin` in the migrate
    container (in the CLI's language) as the last word of a line, after a colon."""
    lines = [line.split("|", 1)[-1].strip() for line in migrate_log.splitlines()]
    found = [match[1] for line in lines if (match := re.search(r":\s*(\S{16,})$", line))]
    return found[-1] if found else None


def students_file(first_code: int, count: int = STUDENTS) -> bytes:
    lines = ["Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam"]
    lines += [f"{code};Zoë;van 't;Hof{code}" for code in range(first_code, first_code + count)]
    return ("\n".join(lines) + "\n").encode()


def imported(client: PortalClient, content: bytes, **options) -> dict:
    status, job = client.upload("/api/v1/imports", {"start": "true", **options}, "export.csv", content)
    assert status == 202, job
    return job


def finished(client: PortalClient, job_id: str, timeout: float = 300) -> dict:
    def done():
        job = client.call("GET", f"/api/v1/imports/{job_id}")
        assert job["status"] not in ("failed", "cancelled"), job
        return job if job["status"] == "completed" else None

    return wait_until(done, timeout, f"import {job_id} to complete", interval=0.25)


def created_codes_on_the_stream(stack: Stack) -> set[str]:
    client = redis_client(stack.redis_url)
    codes, last = set(), "-"
    while batch := client.xrange(EVENT_STREAM, min=last, count=5000):
        for _, fields in batch:
            event = json.loads(fields[b"event"])
            if event["type"] == "student.created":
                codes.add(event["data"]["code"])
        last = "(" + batch[-1][0].decode()
    return codes


def student_count(client: PortalClient) -> int:
    count, cursor = 0, None
    while True:
        page = client.call("GET", "/api/v1/users?type=student&limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        count += len(page["items"])
        if not (cursor := page["next_cursor"]):
            return count


def test_the_gateway_serves_health_the_console_and_the_manager_can_log_in(stack, admin):
    assert http("GET", f"{stack.url}/health")[0] == 200
    assert admin.call("GET", "/api/v1/users/admin")["school_functions"] == ["applicatiebeheerder"]
    page = admin.download("/")
    assert b"<title>" in page and b"app.js" in page


def test_a_users_import_and_an_enrollment_import_complete_with_every_event_on_the_stream(stack, admin):
    started = time.monotonic()
    job = finished(admin, imported(admin, students_file(100_000), kind="users", as_student="true")["id"])
    seconds = time.monotonic() - started
    assert job["counts"]["create"] == STUDENTS and job["counts"]["error"] == 0, job["counts"]
    print(f"\nusers import of {STUDENTS} rows in containers: {seconds:.1f} s, {STUDENTS / seconds:,.0f} rows/s")

    admin.call("POST", "/api/v1/schedule-projects", {"code": "R2027", "name": "Rooster", "school_year": "2026-2027"})
    admin.call("POST", "/api/v1/schedule-projects/R2027/departments",
               {"code": "H1", "name": "Havo 1", "year_of_education": 1})
    enrollments = "Leerlingnummer;Afdeling\n" + "".join(f"{code};H1\n" for code in range(100_000, 100_000 + STUDENTS))
    started = time.monotonic()
    job = finished(admin, imported(admin, enrollments.encode(), kind="enrollments", schedule_project="R2027")["id"])
    seconds = time.monotonic() - started
    assert job["counts"]["create"] == STUDENTS, job["counts"]
    print(f"enrollment import of {STUDENTS} rows in containers: {seconds:.1f} s, {STUDENTS / seconds:,.0f} rows/s")
    assert {str(code) for code in range(100_000, 100_000 + STUDENTS)} <= created_codes_on_the_stream(stack)


def test_a_killed_worker_and_relay_come_back_by_their_restart_policy_and_the_import_completes_once(stack, admin):
    job = imported(admin, students_file(200_000, CRASHED_IMPORT), kind="users", as_student="true")
    wait_until(lambda: admin.call("GET", f"/api/v1/imports/{job['id']}")["progress"]["processed"] > 0, 120,
               "the import to be under way", interval=0.05)
    restarts = {service: crash(stack, service) for service in ("users-worker", "users-relay")}
    progress = admin.call("GET", f"/api/v1/imports/{job['id']}")["progress"]
    assert progress["processed"] < progress["total"], "the import ended before the crash: nothing was tested"
    job = finished(admin, job["id"])
    assert job["counts"]["create"] == CRASHED_IMPORT and job["counts"]["error"] == 0, job["counts"]
    for service, before in restarts.items():
        wait_until(lambda service=service, before=before: restart_count(stack, service) > before
                   and running(stack, service), 120, f"{service} to be restarted")
    assert student_count(admin) == STUDENTS + CRASHED_IMPORT
    assert {str(code) for code in range(200_000, 200_000 + CRASHED_IMPORT)} <= created_codes_on_the_stream(stack)


def test_the_data_survives_down_and_up(stack, admin_password):
    stack.compose("down")
    stack.up()
    assert generated_password(stack.compose("logs", "--no-color", "migrate")) is None  # the manager was kept
    client = PortalClient(stack.url)
    client.login("admin", admin_password)
    assert student_count(client) == STUDENTS + CRASHED_IMPORT
    assert len(client.call("GET", "/api/v1/schedule-projects/R2027/enrollments?limit=1000")["items"]) == 1000


def crash(stack: Stack, service: str) -> int:
    """Kills the container's main process from outside, as the kernel's OOM killer or a crash would:
    `docker kill` counts as a deliberate stop, after which Docker restarts nothing."""
    before = restart_count(stack, service)
    os.kill(int(stack.docker("inspect", "-f", "{{.State.Pid}}", stack.container(service))), signal.SIGKILL)
    return before


def restart_count(stack: Stack, service: str) -> int:
    return int(stack.docker("inspect", "-f", "{{.RestartCount}}", stack.container(service)))


def running(stack: Stack, service: str) -> bool:
    return stack.docker("inspect", "-f", "{{.State.Running}}", stack.container(service)) == "true"
