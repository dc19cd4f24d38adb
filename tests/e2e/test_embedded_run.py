"""`portal run` as a new user runs it: embedded SQLite and Redis, gateway, worker, relay."""

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import redis

from portal.client import PortalClient
from portal.embedded import free_port
from shared.config import EVENT_STREAM
from tests.dutch_files import export_bytes
from tests.processes import console_script, http, start, stop, wait_healthy, wait_until


def port_open(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


CHILD_LOGS = {"gateway", "users-worker", "importer-worker", "enrollments-worker", "relay", "enrollments-consumer",
              "redis"}


# No locale that asks for English, whatever the calling shell has set: `portal run` speaks Dutch unless
# a test passes --lang en.
NO_ENGLISH_LOCALE = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
ENGLISH_LOCALE = {**NO_ENGLISH_LOCALE, "LANG": "en_GB.UTF-8"}


def start_portal(tmp_path, port, log, *options, locale=NO_ENGLISH_LOCALE):
    env = {"PORTAL_DATA_DIR": str(tmp_path / "var"), "PORTAL_PORT": str(port), **locale}
    for name in ("REDIS_URL", "USERS_DATABASE_URL", "PORTAL_ADMIN_PASSWORD", "PORTAL_SECRET_KEY", "PORTAL_FAULT"):
        env[name] = ""  # embedded defaults, whatever the calling shell has set
    return start([str(Path(sys.executable).parent / "portal"), "run", *options], env, log)


def welcome_blocks(output: str) -> list[dict[str, str]]:
    """The framed blocks `portal run` prints, as {label: value}; a value over two lines is joined."""
    blocks = []
    for frame in re.findall(r"^\+-+\+\n((?:\|.*\|\n)+)\+-+\+$", output, re.M):
        block, label = {}, None
        for line in frame.splitlines():
            label = line[2:12].strip() or label
            block[label] = (block.get(label, "") + " " + line[13:-1].strip()).strip()
        blocks.append(block)
    return blocks


def admin_password(log) -> str:
    """The first application manager's password, which `portal run` prints once, in its framed block
    (in Dutch or in English), the first word on its line, its note on the next."""
    block = welcome_blocks(log.read_text())[0]
    return (block.get("Wachtwoord") or block["Password"]).split()[0]


@dataclass
class RunningPortal:
    base: str
    port: int
    data_dir: Path
    process: subprocess.Popen
    log: Path

    @property
    def admin_password(self) -> str:
        return admin_password(self.log)


@pytest.fixture(scope="module")
def running_portal(tmp_path_factory):
    """One `portal run` on a fresh data dir, for the tests that need not stop it; in an English locale,
    so it speaks English."""
    tmp_path = tmp_path_factory.mktemp("portal")
    port, log = free_port(), tmp_path / "portal.log"
    process = start_portal(tmp_path, port, log, locale=ENGLISH_LOCALE)
    running = RunningPortal(f"http://127.0.0.1:{port}", port, tmp_path / "var", process, log)
    try:
        wait_healthy(running.base, process=process, log=log)
        yield running
    finally:
        stop(process, signal.SIGINT)


def test_portal_run_serves_the_contract_and_keeps_its_data_over_a_restart(tmp_path):
    port, log = free_port(), tmp_path / "portal.log"
    base = f"http://127.0.0.1:{port}"
    portal = start_portal(tmp_path, port, log)
    try:
        wait_healthy(base, process=portal, log=log)
        password = admin_password(log)
        # No English locale and no --lang: it speaks Dutch, its block and its own lines alike.
        assert welcome_blocks(log.read_text())[0] == {
            "Portaal": f"{base}  (open dit in een browser: de beheerconsole)", "Gebruiker": "admin",
            "Wachtwoord": f"{password} eenmalig getoond: bewaar het",
            "Logs": f"{tmp_path / 'var' / 'logs'}/  (één bestand per proces)", "Stoppen": "Ctrl-C"}
        assert f"portal: gegevens in {tmp_path / 'var'}; de databases worden bijgewerkt" in log.read_text()
        status, token = http("POST", f"{base}/api/v1/auth/token", {"code": "admin", "password": password})
        assert status == 200 and token["token_type"] == "Bearer" and token["expires_in"] <= 3600
        admin = token["access_token"]

        status, user = http("POST", f"{base}/api/v1/users", {"code": "123456", "is_student": True,
                                                              "password": "leerling-123"}, admin)
        assert status == 201 and user["school_functions"] == ["leerling"]
        status, error = http("POST", f"{base}/api/v1/users", {"code": "12a45", "is_student": True}, admin)
        assert status == 422 and error["error"]["code"] == "student_code_not_numeric"
        student = http("POST", f"{base}/api/v1/auth/token", {"code": "123456", "password": "leerling-123"})[1]
        status, error = http("POST", f"{base}/api/v1/users", {"code": "654321"}, student["access_token"])
        assert status == 403

        redis_url = json.loads((tmp_path / "var" / "run.json").read_text())["redis_url"]
        events = [json.loads(fields[b"event"]) for _, fields in redis.Redis.from_url(redis_url).xrange(EVENT_STREAM)]
        assert [(event["type"], event["data"]["code"]) for event in events] == [("student.created", "123456")]
        assert http("GET", f"{base}/api/v1/openapi.json")[1]["paths"]["/api/v1/users"]
        redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    finally:
        assert stop(portal, signal.SIGINT) == 0
    assert not port_open(port) and not port_open(redis_port), "Ctrl-C left a child running"
    assert not (tmp_path / "var" / "run.json").exists(), "a stopped portal is still recorded as running"
    assert log.read_text().rstrip().endswith("portal: gestopt")

    restarted = start_portal(tmp_path, port, log)
    try:
        wait_healthy(base, process=restarted, log=log)
        admin = http("POST", f"{base}/api/v1/auth/token", {"code": "admin", "password": password})[1]["access_token"]
        assert http("GET", f"{base}/api/v1/users/123456", token=admin)[1]["school_functions"] == ["leerling"]
        redis_url = json.loads((tmp_path / "var" / "run.json").read_text())["redis_url"]
        assert redis.Redis.from_url(redis_url).xlen(EVENT_STREAM) == 1
        assert log.read_text().count(password) == 1
        assert welcome_blocks(log.read_text())[1]["Wachtwoord"] == \
            "het wachtwoord dat bij het aanmaken werd getoond (niet opnieuw getoond)"
    finally:
        stop(restarted, signal.SIGINT)


def test_portal_run_ends_its_output_with_the_address_login_logs_and_how_to_stop(running_portal):
    output = running_portal.log.read_text()
    [block] = welcome_blocks(output)
    logs = running_portal.data_dir / "logs"
    assert block == {"Portal": f"{running_portal.base}  (open it in a browser: the admin console)",
                     "Log in as": "admin", "Password": f"{running_portal.admin_password} shown once: keep it",
                     "Logs": f"{logs}/  (one file per process)", "Stop": "Ctrl-C"}
    before_the_block = output[:output.index("+---")]
    assert len(before_the_block.splitlines()) <= 3, before_the_block  # no installer, banner or warning
    assert "celery" not in output.lower() and "concurrency" not in output


def test_every_process_of_portal_run_writes_to_its_own_private_log_file(running_portal):
    logs = running_portal.data_dir / "logs"
    assert {path.stem for path in logs.glob("*.log")} == CHILD_LOGS
    assert {permissions(path) for path in logs.iterdir()} == {0o600} and permissions(logs) == 0o700
    for worker in ("users-worker", "importer-worker", "enrollments-worker"):
        assert ".> concurrency: 1 (solo)" in (logs / f"{worker}.log").read_text()
    assert "relay started" in (logs / "relay.log").read_text()


def test_portal_run_verbose_lets_the_processes_write_to_its_own_output(tmp_path):
    port, log = free_port(), tmp_path / "portal.log"
    portal = start_portal(tmp_path, port, log, "--verbose", "--lang", "en")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process=portal, log=log)
        wait_until(lambda: "relay started" in log.read_text(), 30, "the relay to say it started")
        output = log.read_text()
        assert ".> concurrency: 1 (solo)" in output and welcome_blocks(output)[0]["Logs"] == "here (--verbose)"
        assert {path.stem for path in (tmp_path / "var" / "logs").glob("*.log")} == {"redis"}
    finally:
        stop(portal, signal.SIGINT)


def test_a_crashed_child_is_restarted_by_portal_run(running_portal):
    gateway_pid = _listening_pid(running_portal.port)
    os.kill(gateway_pid, signal.SIGKILL)
    wait_until(lambda: _listening_pid(running_portal.port) not in (None, gateway_pid), 30, "a new gateway")
    wait_healthy(running_portal.base, process=running_portal.process, log=running_portal.log)


def test_a_killed_worker_is_restarted_by_portal_run_and_imports_work_again(running_portal):
    killed = _child_running(running_portal.process, "services.users.worker")
    os.kill(killed, signal.SIGKILL)

    def another_worker():
        now = _child_running(running_portal.process, "services.users.worker")
        return now if now not in (None, killed) else None

    restarted = wait_until(another_worker, 30, "a new users worker")
    assert "users-worker exited with -9; restarting" in running_portal.log.read_text()
    client = PortalClient(running_portal.base)
    client.login("admin", running_portal.admin_password)
    status, job = client.upload("/api/v1/imports", {"kind": "users", "as_student": True, "start": True},
                                "leerlingen.csv", export_bytes(300, first_code=330000))
    assert status == 202
    done = wait_until(lambda: (job_now := client.call("GET", f"/api/v1/imports/{job['id']}"))["status"]
                      in ("completed", "failed") and job_now, 120, "the import to finish")
    assert done["status"] == "completed" and done["counts"]["create"] == 300
    assert _child_running(running_portal.process, "services.users.worker") == restarted


def _child_running(portal, module):
    """The pid of the child of `portal run` whose command line names `module`, if one runs."""
    for child in psutil.Process(portal.pid).children():
        try:
            if module in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                return child.pid
        except psutil.NoSuchProcess:
            continue
    return None


def _listening_pid(port):
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == "LISTEN" and connection.laddr.port == port:
            return connection.pid
    return None


def test_portal_run_imports_an_export_on_its_embedded_defaults(running_portal):
    client = PortalClient(running_portal.base)
    client.login("admin", running_portal.admin_password)
    status, job = client.upload("/api/v1/imports", {"kind": "users", "as_student": True, "start": True},
                                "leerlingen.csv", export_bytes(5000))
    assert status == 202
    done = wait_until(lambda: (job_now := client.call("GET", f"/api/v1/imports/{job['id']}"))["status"]
                      in ("completed", "failed") and job_now, 120, "the import to finish")
    assert done["status"] == "completed" and done["counts"]["create"] == 5000
    students = client.call("GET", "/api/v1/users?type=student&limit=1000")
    assert len(students["items"]) == 1000 and students["next_cursor"]


def test_the_data_dir_is_private_to_the_account_that_runs_the_portal(running_portal):
    client = PortalClient(running_portal.base)
    client.login("admin", running_portal.admin_password)
    # A write to every service's database, so that SQLite's -wal and -shm files exist as well.
    client.call("POST", "/api/v1/users", {"code": "700600", "is_student": True})
    client.call("POST", "/api/v1/schedule-projects", {"code": "2026-2027", "name": "havo/vwo",
                                                   "school_year": "2026-2027"})
    client.upload("/api/v1/imports", {"kind": "users"}, "leerlingen.csv", export_bytes(3))
    data_dir = running_portal.data_dir
    assert {"users.sqlite3-wal", "importer.sqlite3-wal", "enrollments.sqlite3-wal", "run.json",
            "secret_key", "redis_password", "redis"} <= {path.name for path in data_dir.iterdir()}

    too_open = {str(path.relative_to(data_dir)): oct(permissions(path)) for path in data_dir.rglob("*")
                if permissions(path) != (0o700 if path.is_dir() else 0o600)}
    assert permissions(data_dir) == 0o700 and not too_open


def test_the_embedded_redis_wants_the_password_kept_in_the_data_dir_and_no_command_line_shows_it(running_portal):
    data_dir = running_portal.data_dir
    password = (data_dir / "redis_password").read_text()
    redis_port = urlsplit(json.loads((data_dir / "run.json").read_text())["redis_url"]).port

    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=redis_port).ping()
    assert redis.Redis(port=redis_port, password=password).ping()
    redis_cli = subprocess.run(console_script("portal", "redis-cli", "PING"), capture_output=True, text=True,
                               env={**os.environ, "PORTAL_DATA_DIR": str(data_dir), "REDIS_URL": ""}, timeout=30)
    assert redis_cli.stdout.strip() == "PONG", redis_cli.stderr
    command_lines = [" ".join(child.cmdline())
                     for child in psutil.Process(running_portal.process.pid).children(recursive=True)]
    assert any("redis-server" in line for line in command_lines)
    assert not [line for line in command_lines if password in line]
    assert password not in running_portal.log.read_text()


def test_the_cli_finds_the_running_portal_through_its_data_dir_and_logs_in_from_standard_input(running_portal,
                                                                                               tmp_path):
    export = tmp_path / "leerlingen.csv"
    export.write_bytes(export_bytes(3, first_code=880000))
    # Only the data dir `portal run` was given: its port comes from run.json there.
    env = {**os.environ, "PORTAL_DATA_DIR": str(running_portal.data_dir), "PORTAL_PORT": "", "PORTAL_URL": "",
           "PORTAL_TOKEN": "", "PORTAL_ADMIN_PASSWORD": ""}
    done = subprocess.run(console_script("portal", "import", "users", str(export), "--as-student", "--yes",
                                         "--password-stdin", "--lang", "en"),
                          input=running_portal.admin_password + "\n", capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Import completed: create 3" in done.stdout


def permissions(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)
