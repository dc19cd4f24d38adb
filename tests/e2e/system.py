"""The whole system as separate real processes against PostgreSQL and Redis, for end-to-end tests:
gateway, a users worker, an importer worker (which keeps the sweep going), and the relay. Each can be
killed and started again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from portal.client import PortalClient
from portal.embedded import free_port
from tests.processes import console_script, http, python_module, start, stop, wait_healthy, wait_until
from tests.services import fresh_postgres_database

ADMIN_PASSWORD = "e2e-admin-password"


@contextmanager
def running_system(tmp_path: Path, redis_url: str, **settings: str) -> Iterator[System]:
    """The whole system on three fresh PostgreSQL databases and `redis_url`, set up and stopped
    afterwards; `settings` add to or replace the environment the tests share."""
    with fresh_postgres_database() as users_url, fresh_postgres_database() as importer_url, \
            fresh_postgres_database() as enrollments_url:
        env = {
            "USERS_DATABASE_URL": users_url, "IMPORTER_DATABASE_URL": importer_url,
            "ENROLLMENTS_DATABASE_URL": enrollments_url, "REDIS_URL": redis_url,
            "PORTAL_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
            "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_FAULT": "",
            "PORTAL_CHUNK_TIMEOUT_SECONDS": "5", "PORTAL_SWEEP_SECONDS": "1", **settings,
        }
        running = System(tmp_path, env).setup()
        try:
            yield running
        finally:
            running.stop_all()


class System:
    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path = tmp_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORTAL_PORT": str(self.port), "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD}
        self.processes: dict[str, subprocess.Popen] = {}
        self.env_of: dict[str, dict[str, str]] = {}  # settings only one program gets
        self._token = None
        self._token_at = 0.0

    def programs(self) -> dict[str, list[str]]:
        def worker(service, *extra):
            return [*console_script("celery"), "-A", f"services.{service}.worker", "worker", "-Q", service,
                    "-n", f"{service}@%h", "--without-gossip", "--without-mingle", "-l", "info", *extra]

        return {
            "gateway": python_module("portal.gateway"),
            # Two processes, so that chunks of concurrent imports really run at the same time.
            "users-worker": worker("users", "--pool", "prefork", "--concurrency", "2"),
            "importer-worker": worker("importer", "--pool", "solo"),
            "enrollments-worker": worker("enrollments", "--pool", "solo"),
            "relay": python_module("services.users.relay"),
            "enrollments-consumer": python_module("services.enrollments.consumer"),
        }

    def setup(self) -> System:
        for command in (("migrate",), ("create-admin",)):
            done = subprocess.run(console_script("portal", *command), env={**os.environ, **self.env},
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout + done.stderr
        for name in self.programs():
            self.start(name)
        wait_healthy(self.base, timeout=90, log=self.tmp_path / "gateway.log")
        return self

    def start(self, name: str) -> None:
        env = {**self.env, **self.env_of.get(name, {})}
        self.processes[name] = start(self.programs()[name], env, self.tmp_path / f"{name}.log")

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started (a worker's pool children too)."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        stop(self.processes[name])

    def stop_all(self) -> None:
        for process in self.processes.values():
            stop(process)

    @property
    def token(self) -> str:
        """The admin's access token, from a new login when the last is 10 minutes old (they live 15)."""
        if self._token is None or time.monotonic() - self._token_at > 600:
            status, body = http("POST", f"{self.base}/api/v1/auth/token", {"code": "admin", "password": ADMIN_PASSWORD})
            assert status == 200, body
            self._token, self._token_at = body["access_token"], time.monotonic()
        return self._token

    def get(self, path: str):
        return http("GET", f"{self.base}{path}", token=self.token)

    def post(self, path: str, body=None):
        return http("POST", f"{self.base}{path}", body, token=self.token)

    def request(self, method: str, path: str, body=None):
        return http(method, f"{self.base}{path}", body, token=self.token)

    def request_patch(self, job_id: str, body: dict):
        return self.request("PATCH", f"/api/v1/imports/{job_id}", body)

    def download(self, path: str) -> bytes:
        return PortalClient(self.base, self.token).download(path)

    def upload(self, content: bytes, filename="leerlingen.csv", **options) -> dict:
        status, job = PortalClient(self.base, self.token).upload("/api/v1/imports", options, filename, content)
        assert status == 202, job
        return job

    def wait_for_status(self, job_id: str, statuses: tuple[str, ...], timeout: float = 120) -> dict:
        def reached():
            job = self.get(f"/api/v1/imports/{job_id}")[1]
            return job if job["status"] in statuses else None

        return wait_until(reached, timeout, f"job {job_id} to reach {statuses}", interval=0.2)

    def scalar(self, database: str, query: str, **params):
        """One value from a service's own database (`database`: USERS, IMPORTER or ENROLLMENTS)."""
        engine = create_engine(self.env[f"{database}_DATABASE_URL"])
        try:
            with engine.connect() as connection:
                return connection.scalar(text(query), params)
        finally:
            engine.dispose()

    def all_rows(self, job_id: str, action: str | None = None) -> list[dict]:
        rows, cursor = [], None
        while True:
            query = "limit=1000" + (f"&action={action}" if action else "") + (f"&cursor={cursor}" if cursor else "")
            page = self.get(f"/api/v1/imports/{job_id}/rows?{query}")[1]
            rows += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return rows
