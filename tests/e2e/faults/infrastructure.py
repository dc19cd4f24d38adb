"""A PostgreSQL cluster and a Redis server owned by one fault scenario, so that it can stop,
restart or wipe them without touching the machine's own servers or another scenario's.

PostgreSQL: its own data directory made by initdb, trust authentication, a free port and a unix
socket in the same temporary directory. initdb refuses to run as root, so the cluster runs as the
`postgres` OS user when the tests run as root. Redis: the redis-server the tests use elsewhere,
on a free port with its own directory, append-only unless told otherwise.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from portal.embedded import free_port, redis_server_binary

POSTGRES_BIN = Path(os.environ.get("PORTAL_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
CLUSTER_USER = "postgres"  # the OS user the cluster runs as when the tests run as root
DATABASES = ("users", "importer", "enrollments")


class PostgresCluster:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()
        self._as_cluster_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam(CLUSTER_USER)
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            self._as_cluster_user = ["runuser", "-u", CLUSTER_USER, "--"]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> PostgresCluster:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()
        with psycopg.connect(self._admin_url(), autocommit=True) as connection:
            for name in DATABASES:
                connection.execute(f'CREATE DATABASE "{name}"')
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session and shuts down cleanly; `immediate` is a crash (recovery on start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        done = subprocess.run([*self._as_cluster_user, str(POSTGRES_BIN / program), *args], cwd=self.directory,
                              capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed: {done.stdout}{done.stderr}{log}")


class RedisServer:
    def __init__(self, append_only: bool = True):
        self.directory = Path(tempfile.mkdtemp(prefix="portal-faults-redis-"))
        self.port = free_port()
        self.append_only = append_only
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "yes" if self.append_only else "no",
             "--logfile", str(self.directory / "redis.log")],
        )
        client = self.client()
        deadline = time.monotonic() + 20
        while True:
            try:
                # Loading the append-only file answers LOADING: not up until a real command works.
                client.dbsize()
                return self
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file out before it exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def restart_empty(self) -> None:
        """A Redis without persistence comes back with nothing: every stream, queue and set gone."""
        self.kill()
        for entry in self.directory.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        self.start()

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


class TinyDisk:
    """A tmpfs of `size` mounted on a fresh directory and filled up: no room for a byte or a file."""

    def __init__(self, size: str = "64k"):
        self.path = Path(tempfile.mkdtemp(prefix="portal-faults-scratch-"))
        self.size = size
        self.mounted = False

    def mount(self) -> TinyDisk:
        # Two inodes: there is no room for a file, nor (if the filler gets one) for a byte.
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},nr_inodes=2,mode=1777", "tmpfs",
                        str(self.path)], check=True, capture_output=True, timeout=30)
        self.mounted = True
        self._fill()
        return self

    def _fill(self) -> None:
        try:
            with open(self.path / "filler", "wb") as filler:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
        except OSError:  # ENOSPC: full
            pass

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=True, capture_output=True, timeout=30)
            self.mounted = False

    def destroy(self) -> None:
        self.unmount()
        shutil.rmtree(self.path, ignore_errors=True)
