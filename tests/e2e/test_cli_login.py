"""`portal login` and `portal logout` against a real `portal run`: a script imports without a
password while the stored session lives, and is told clearly when it has ended."""

import json
import os
import pty
import select
import signal
import stat
import subprocess
import time

import pytest

from portal.client import PortalClient
from portal.embedded import free_port
from tests.dutch_files import export_bytes
from tests.e2e.test_embedded_run import RunningPortal, start_portal
from tests.processes import console_script, http, stop, wait_healthy


@pytest.fixture(scope="module")
def running_portal(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("portal")
    port, log = free_port(), tmp_path / "portal.log"
    process = start_portal(tmp_path, port, log)
    running = RunningPortal(f"http://127.0.0.1:{port}", port, tmp_path / "var", process, log)
    try:
        wait_healthy(running.base, process=process, log=log)
        yield running
    finally:
        stop(process, signal.SIGINT)


@pytest.fixture
def cli(running_portal, tmp_path):
    """`portal ARGS` as a script runs it: no terminal, its own config dir, the portal found by its data dir,
    a locale that is not English (so it speaks Dutch)."""
    env = {**os.environ, "PORTAL_DATA_DIR": str(running_portal.data_dir), "PORTAL_PORT": "", "PORTAL_URL": "",
           "PORTAL_TOKEN": "", "PORTAL_ADMIN_PASSWORD": "", "PORTAL_ADMIN_CODE": "",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "",
           "LANG": "C.UTF-8"}

    def run(*args, stdin="", env=None):
        return subprocess.run(console_script("portal", *args), input=stdin, capture_output=True, text=True,
                              env={**run.env, **(env or {})}, cwd=tmp_path, timeout=120)

    run.env = env
    run.sessions = tmp_path / "config" / "portal" / "sessions.json"
    return run


def export(tmp_path, first_code):
    path = tmp_path / f"leerlingen-{first_code}.csv"
    path.write_bytes(export_bytes(2, first_code=first_code))
    return str(path)


def stored_token(cli, url):
    return json.loads(cli.sessions.read_text()).get(url, {}).get("refresh_token")


def test_login_lets_a_script_import_without_a_password_until_logout(running_portal, cli, tmp_path):
    base = running_portal.base
    login = cli("login", "--password-stdin", stdin=running_portal.admin_password + "\n")
    assert login.returncode == 0, login.stderr
    assert f"Aangemeld bij {base} als admin" in login.stdout and str(cli.sessions) in login.stdout
    assert stat.S_IMODE(cli.sessions.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.sessions.parent.stat().st_mode) == 0o700
    first = stored_token(cli, base)
    assert first and first not in login.stdout + login.stderr

    for first_code in (881000, 882000):  # twice: the rotated token was stored and works
        done = cli("import", "users", export(tmp_path, first_code), "--as-student", "--yes")
        assert done.returncode == 0, done.stderr
        assert "Import voltooid: nieuw 2" in done.stdout
        assert "Wachtwoord:" not in done.stdout + done.stderr
    assert stored_token(cli, base) not in (None, first)
    assert http("POST", f"{base}/api/v1/auth/refresh", {"refresh_token": first})[0] == 401  # spent

    before_logout = stored_token(cli, base)
    logout = cli("logout")
    assert logout.returncode == 0, logout.stderr
    assert f"Afgemeld bij {base}" in logout.stdout
    assert stored_token(cli, base) is None
    status, body = http("POST", f"{base}/api/v1/auth/refresh", {"refresh_token": before_logout})
    assert status == 401, body

    again = cli("import", "users", export(tmp_path, 883000), "--as-student", "--yes")
    assert again.returncode == 2 and "Geen terminal om een wachtwoord te vragen" in again.stderr
    assert "portal login" in again.stderr
    assert cli("logout").stdout.startswith("Er is geen sessie bewaard")


def test_a_stored_session_ended_by_archiving_its_user_is_forgotten_with_a_clear_message(running_portal, cli,
                                                                                          tmp_path):
    base = running_portal.base
    admin = PortalClient(base)
    admin.login("admin", running_portal.admin_password)
    admin.call("POST", "/api/v1/users", {"code": "beheer.cli", "is_employee": True, "password": "beheer-wachtwoord-1",
                                         "school_functions": ["applicatiebeheerder"]})
    login = cli("login", "--code", "beheer.cli", "--password-stdin", stdin="beheer-wachtwoord-1\n")
    assert login.returncode == 0, login.stderr

    admin.call("PATCH", "/api/v1/users/beheer.cli", {"archived": True})
    refused = cli("import", "users", export(tmp_path, 884000), "--as-student", "--yes")
    assert refused.returncode == 2, refused.stderr
    assert f"De sessie die `portal login` voor {base} bewaarde, werd niet geaccepteerd" in refused.stderr
    assert "Ze is beëindigd en hier vergeten" in refused.stderr
    assert "Geen terminal om een wachtwoord te vragen" in refused.stderr
    assert "Nu aanmelden met een wachtwoord" not in refused.stderr
    assert stored_token(cli, base) is None


def test_logout_forgets_the_session_even_when_the_portal_cannot_be_reached(cli):
    gone = f"http://127.0.0.1:{free_port()}"
    cli.sessions.parent.mkdir(mode=0o700, parents=True)
    cli.sessions.write_text(json.dumps({gone: {"code": "admin", "refresh_token": "r-unreachable"}}))
    logout = cli("logout", "--url", gone, "--lang", "en")
    assert logout.returncode == 1
    assert "Could not end the session" in logout.stderr and "forgotten here" in logout.stderr
    assert "r-unreachable" not in logout.stdout + logout.stderr
    assert json.loads(cli.sessions.read_text()) == {}


def test_a_wrong_password_stores_nothing(running_portal, cli):
    refused = cli("login", "--password-stdin", stdin="not-the-password\n")
    assert refused.returncode == 1 and "Het portal weigerde de aanmelding" in refused.stderr
    assert "De gebruikerscode of het wachtwoord is onjuist." in refused.stderr  # the portal's answer, in Dutch too
    english = cli("login", "--password-stdin", stdin="not-the-password\n", env={"LANG": "en_GB.UTF-8"})
    assert "The portal refused the login" in english.stderr and "The code or the password is wrong." in english.stderr
    assert not cli.sessions.exists()


def on_terminal(cli_env, args, answers, timeout=60):
    """Run `portal ARGS` on a pseudo-terminal, typing each answer after its prompt appears; its screen."""
    main, child = pty.openpty()
    process = subprocess.Popen(console_script("portal", *args), stdin=child, stdout=child, stderr=child,
                               env=cli_env, start_new_session=True)
    os.close(child)
    screen, deadline = b"", time.monotonic() + timeout
    pending = list(answers)
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            if pending and screen.decode(errors="replace").rstrip().endswith(pending[0][0]):
                os.write(main, pending.pop(0)[1].encode() + b"\r")
            if process.poll() is not None and not ready:
                break
        return process.wait(timeout=10), screen.decode(errors="replace")
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()


def test_on_a_terminal_login_asks_without_echo_and_after_logout_an_import_asks_again(running_portal, cli, tmp_path):
    password = running_portal.admin_password
    status, screen = on_terminal(cli.env, ["login"], [("):", ""), ("Wachtwoord:", password)])
    assert status == 0, screen
    assert "Aangemeld bij" in screen and password not in screen
    assert cli("logout").returncode == 0

    status, screen = on_terminal(cli.env, ["import", "users", export(tmp_path, 885000), "--as-student", "--yes"],
                                 [("):", ""), ("Wachtwoord:", password)])
    assert status == 0, screen
    assert "Wachtwoord:" in screen and "Import voltooid: nieuw 2" in screen and password not in screen
