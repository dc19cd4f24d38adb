"""The CLI finds the portal the way `portal run` started it, and decides how to log in before it
asks anything."""

import io
import json
import os
import stat
import subprocess
import sys

import pytest

from portal.discovery import RUN_FILE, portal_url, read_run_file, redis_url, remove_run_file, write_run_file
from portal.session import CannotStart, plan_login


class Terminal(io.StringIO):
    def isatty(self):
        return True


def record(data_dir, pid, url="http://127.0.0.1:8123", redis="redis://:pw@127.0.0.1:6400/0"):
    data_dir.mkdir(exist_ok=True)
    (data_dir / RUN_FILE).write_text(json.dumps({"url": url, "redis_url": redis, "pid": pid}))


def a_finished_process_id() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_without_a_running_portal_the_default_address_uses_portal_port_and_says_where_it_looked(tmp_path):
    found = portal_url(None, {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_PORT": "8765"})
    assert found.url == "http://127.0.0.1:8765"
    assert "PORTAL_PORT" in found.source and str(tmp_path / RUN_FILE) in found.source


def test_the_running_portal_is_found_through_run_json_in_portal_data_dir_whatever_portal_port_says(tmp_path):
    record(tmp_path, os.getpid())
    found = portal_url(None, {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_PORT": "9999"})
    assert found.url == "http://127.0.0.1:8123" and "running `portal run`" in found.source


def test_the_default_data_dir_is_var_where_the_command_runs(tmp_path, monkeypatch):
    record(tmp_path / "var", os.getpid(), url="http://127.0.0.1:8124")
    monkeypatch.chdir(tmp_path)
    assert portal_url(None, {}).url == "http://127.0.0.1:8124"


def test_a_run_json_left_by_a_portal_that_is_gone_is_ignored(tmp_path):
    record(tmp_path, a_finished_process_id())
    assert portal_url(None, {"PORTAL_DATA_DIR": str(tmp_path)}).url == "http://127.0.0.1:8000"
    assert redis_url({"PORTAL_DATA_DIR": str(tmp_path)}) is None


def test_url_option_and_portal_url_win_over_run_json(tmp_path):
    record(tmp_path, os.getpid())
    environ = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_URL": "https://portal.example.nl"}
    assert portal_url(None, environ).url == "https://portal.example.nl"
    assert portal_url("http://other:1", environ).url == "http://other:1"


def test_redis_cli_finds_the_embedded_redis_in_run_json_and_redis_url_wins(tmp_path):
    record(tmp_path, os.getpid())
    assert redis_url({"PORTAL_DATA_DIR": str(tmp_path)}).url == "redis://:pw@127.0.0.1:6400/0"
    assert redis_url({"PORTAL_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://r:6379"}).url == "redis://r:6379"


def test_looking_for_the_portal_creates_nothing_in_the_data_dir(tmp_path):
    missing = tmp_path / "not-yet"
    portal_url(None, {"PORTAL_DATA_DIR": str(missing)})
    redis_url({"PORTAL_DATA_DIR": str(missing)})
    assert not missing.exists()


def test_portal_run_writes_run_json_private_and_removes_only_its_own(tmp_path):
    write_run_file(tmp_path, "http://127.0.0.1:8125", "redis://:pw@127.0.0.1:6401/0")
    assert stat.S_IMODE((tmp_path / RUN_FILE).stat().st_mode) == 0o600
    assert read_run_file(tmp_path)["pid"] == os.getpid()
    remove_run_file(tmp_path)
    assert not (tmp_path / RUN_FILE).exists()

    record(tmp_path, os.getppid())  # another `portal run` took the data dir over since
    remove_run_file(tmp_path)
    assert (tmp_path / RUN_FILE).exists()


def test_without_a_terminal_or_a_way_to_log_in_the_cli_stops_at_once_naming_the_options():
    with pytest.raises(CannotStart) as refused:
        plan_login(None, None, False, {}, io.StringIO("typed ahead\n"))
    assert "--token" in str(refused.value) and "--password-stdin" in str(refused.value)


def test_password_stdin_reads_one_line_and_logs_in_with_the_given_code():
    stdin = io.StringIO("geheim wachtwoord\ny\n")
    login = plan_login(None, "beheer", True, {"PORTAL_ADMIN_CODE": "admin"}, stdin)
    assert login.credentials() == ("beheer", "geheim wachtwoord")
    assert stdin.readline() == "y\n"  # what follows is left for the question before starting


def test_password_stdin_without_a_code_uses_portal_admin_code_and_refuses_an_empty_line():
    assert plan_login(None, None, True, {"PORTAL_ADMIN_CODE": "beheer"}, io.StringIO("pw\n")).credentials() \
        == ("beheer", "pw")
    with pytest.raises(CannotStart):
        plan_login(None, None, True, {}, io.StringIO(""))


def test_a_token_needs_no_password_and_a_terminal_is_asked_only_later():
    assert plan_login(None, None, False, {"PORTAL_TOKEN": "t0k3n"}, io.StringIO()).token == "t0k3n"
    asked_later = plan_login(None, None, False, {}, Terminal())
    assert asked_later.token is None and asked_later.credentials is not None
