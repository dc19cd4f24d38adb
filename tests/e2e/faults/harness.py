"""One fault scenario's world: its own PostgreSQL cluster and Redis, the whole system's processes
on them, and the faults a scenario can inflict: stop, restart, SIGKILL, SIGSTOP/SIGCONT of any
process kind, and stopping, restarting or wiping the databases. Everything it started is ended,
and every disk it mounted unmounted, however the scenario ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

from tests.dutch_files import export_bytes
from tests.e2e.faults.infrastructure import PostgresCluster, RedisServer, TinyDisk
from tests.e2e.system import System
from tests.e2e.test_enrollment_imports import PROJECT, setup_project
from tests.processes import wait_until

CHUNK_TIMEOUT_SECONDS = 5.0  # an unanswered chunk is sent again after this (the sweep runs every second)
PROCESS_KINDS = ("gateway", "users-worker", "importer-worker", "enrollments-worker", "relay", "enrollments-consumer")


class FaultySystem(System):
    """The end-to-end System, with the signals and restarts the faults need."""

    def pause(self, name: str) -> None:
        """SIGSTOP the process and its children (a prefork worker's pool too): alive, but silent."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def is_alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def tear_down(self) -> None:
        """SIGKILL every process group this system started, also a stopped (SIGSTOP) one: the
        scenario's databases go with it, so there is nothing a graceful stop would save."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


class Scenario:
    """Own PostgreSQL (three databases), own Redis and the system on them; `close` ends it all."""

    def __init__(self, name: str, tmp_path: Path):
        self.name = name
        self.tmp_path = tmp_path
        self._cleanup = ExitStack()
        self.postgres: PostgresCluster
        self.redis: RedisServer
        self.system: FaultySystem

    def open(self, label: str, redis_append_only: bool = True,
             importer_scratch: TinyDisk | None = None, start: bool = True) -> Scenario:
        """Start it all; `label` names the scenario in the time-to-recover table."""
        self.name = label
        self.postgres = PostgresCluster()
        self._cleanup.callback(self.postgres.destroy)
        self.postgres.create()
        self.redis = RedisServer(append_only=redis_append_only)
        self._cleanup.callback(self.redis.destroy)
        self.redis.start()
        env = {
            "USERS_DATABASE_URL": self.postgres.url("users"), "IMPORTER_DATABASE_URL": self.postgres.url("importer"),
            "ENROLLMENTS_DATABASE_URL": self.postgres.url("enrollments"), "REDIS_URL": self.redis.url,
            "PORTAL_SECRET_KEY": "faults-secret-key-that-is-long-enough-0123456789",
            "PORTAL_DATA_DIR": str(self.tmp_path), "PORTAL_FAULT": "",
            "PORTAL_CHUNK_TIMEOUT_SECONDS": str(CHUNK_TIMEOUT_SECONDS), "PORTAL_SWEEP_SECONDS": "1",
        }
        self.system = FaultySystem(self.tmp_path, env)
        if importer_scratch is not None:
            self._cleanup.callback(importer_scratch.destroy)
            importer_scratch.mount()
            # The analysis' throwaway files (services/importer/seen_keys.py).
            self.system.env_of["importer-worker"] = {"PORTAL_SCRATCH_DIR": str(importer_scratch.path)}
        self._cleanup.callback(self.system.tear_down)
        if start:
            self.system.setup()
        return self

    def close(self) -> None:
        self._cleanup.close()

    # Faults of the databases

    def restart_postgres(self, mode: str = "fast") -> None:
        self.postgres.restart(mode)

    def postgres_outage(self, seconds: float) -> None:
        self.postgres.stop("fast")
        time.sleep(seconds)
        self.postgres.start()

    def logs(self, tail: int = 3000) -> str:
        """The end of every process' log, for a failure message."""
        parts = []
        for log in sorted(self.tmp_path.glob("*.log")):
            parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)


def status_of(system: System, job_id: str) -> dict:
    return system.get(f"/api/v1/imports/{job_id}")[1]


def wait_mid_import(system: System, job_id: str, timeout: float = 120) -> dict:
    """Wait until the job applies its rows (chunks on their way to or in a worker), not yet done."""
    def applying():
        job = status_of(system, job_id)
        return job if job["status"] in ("running", "completed", "failed", "cancelled") else None

    job = wait_until(applying, timeout, f"job {job_id} to run", interval=0.05)
    assert job["status"] == "running", f"the job was {job['status']} before the fault: use a larger file ({job})"
    return job


def wait_worker_holds(scenario: Scenario, task: str, timeout: float = 60) -> None:
    """Wait until a worker has taken a `task` message it has not acknowledged yet (tasks ack late,
    kombu keeps such messages in its `unacked` hash): killing or freezing it now loses work in hand."""
    client = scenario.redis.client()

    def held() -> bool:
        return any(json.loads(raw)[0]["headers"].get("task") == task for raw in client.hvals("unacked"))

    wait_until(held, timeout, f"a worker to take a {task} task", interval=0.02)


def import_students(system: System, students) -> dict:
    """Upload `students` (an invariants.Students) as a users import that starts once analysed."""
    content = export_bytes(students.count, first_code=students.first_code)
    return system.upload(content, kind="users", as_student=True, start=True)


def import_enrollments(system: System, students, project: str = PROJECT) -> dict:
    """The students' export as an enrollment import into a new schedule project (the students must
    be imported first)."""
    setup_project(system, project)
    content = export_bytes(students.count, first_code=students.first_code)
    return system.upload(content, kind="enrollments", schedule_project=project, start=True)
