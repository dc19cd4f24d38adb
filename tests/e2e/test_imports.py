"""User imports end to end: the HTTP API, a real importer worker, a real users worker,
the relay, PostgreSQL and Redis."""

import json
import os
import pty
import re
import select
import subprocess
import time
import urllib.request

import redis

from portal.client import PortalClient
from portal.embedded import free_port
from shared.config import EVENT_STREAM
from tests.dutch_files import HEADER, export_text, student_rows
from tests.e2e.system import ADMIN_PASSWORD
from tests.processes import console_script

EXPORT_ROWS = [
    ["300001", "Zoë", "", "Bakker", "zoe.bakker@leerling.example.nl", "h1"],
    ["300002", "Daniël", "", "Vermeulen", "daniel@leerling.example.nl", "h4"],
    ["300003", "Sem", "van 't", "Hof", "sem.vanthof@leerling.example.nl", "v4"],
    ["300004", "Léa", "", "Dubois", "", "h4"],
    ["30x005", "Bram", "van der", "Linden", "bram@leerling.example.nl", "h1"],
    ["300006", "Noor", "", "Yilmaz", "geen-adres", "h1"],
    ["300001", "Zoë", "", "Bakker", "", "h1"],
]


def cp1252_export(rows) -> bytes:
    return export_text(rows).encode("cp1252")


def counts_of(rows):
    counts = {action: 0 for action in ("create", "update", "unchanged", "skip", "error")}
    for row in rows:
        counts[row["action"]] += 1
    return counts


def test_a_semicolon_windows_1252_export_imports_with_the_suggested_settings(system):
    job = system.upload(cp1252_export(EXPORT_ROWS), kind="users", as_student=True)
    assert job["status"] == "analyzing"
    ready = system.wait_for_status(job["id"], ("ready",))
    assert ready["settings"]["delimiter"] == ";" and ready["settings"]["encoding"] == "cp1252"
    assert [column["field"] for column in ready["columns"]] == ["code", "first_name", "prefix", "last_name",
                                                               "email", "ignore"]
    assert ready["total_rows"] == 7
    preview = system.all_rows(job["id"])
    assert [row["action"] for row in preview] == ["create", "create", "create", "create", "error", "error", "error"]
    assert preview[4]["reason"] == "code_not_numeric" and "cijfers" in " ".join(preview[4]["messages"])
    assert "regel 2" in " ".join(preview[6]["messages"]) and preview[6]["reason"] == "duplicate_in_file"
    assert ready["counts"] == counts_of(preview) == {"create": 4, "update": 0, "unchanged": 0, "skip": 0, "error": 3}
    assert not any(row["applied"] for row in preview)

    assert system.post(f"/api/v1/imports/{job['id']}/start")[0] == 202
    done = system.wait_for_status(job["id"], ("completed",))
    assert done["counts"] == ready["counts"] and sum(done["counts"].values()) == done["total_rows"]
    assert done["progress"] == {"processed": 7, "total": 7}
    results = system.all_rows(job["id"])
    assert [row["action"] for row in results] == [row["action"] for row in preview]
    assert [row["applied"] for row in results] == [True] * 4 + [False] * 3

    zoe = system.get("/api/v1/users/300001")[1]
    assert (zoe["first_name"], zoe["school_functions"], zoe["is_student"]) == ("Zoë", ["leerling"], True)
    assert system.get("/api/v1/users/300003")[1]["prefix"] == "van 't"
    events = [json.loads(fields[b"event"]) for _, fields in
              redis.Redis.from_url(system.env["REDIS_URL"]).xrange(EVENT_STREAM)]
    created = sorted(event["data"]["code"] for event in events if event["type"] == "student.created"
                     and event["data"]["code"].startswith("3000"))
    assert created == ["300001", "300002", "300003", "300004"]


def test_the_same_file_again_is_all_skip_in_import_mode_and_one_change_is_one_update_in_synchronize(system):
    rows = list(student_rows(25, first_code=400000))
    first = system.upload(export_text(rows).encode("utf-8-sig"), kind="users", as_student=True, start=True)
    assert system.wait_for_status(first["id"], ("completed",))["counts"]["create"] == 25

    again = system.wait_for_status(system.upload(export_text(rows).encode("utf-8-sig"), kind="users",
                                                 as_student=True)["id"], ("ready",))
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 0, "skip": 25, "error": 0}

    rows[10] = [rows[10][0], "Anders", *rows[10][2:]]
    sync = system.wait_for_status(system.upload(export_text(rows).encode("utf-8-sig"), kind="users",
                                                as_student=True, mode="synchronize")["id"], ("ready",))
    assert sync["counts"] == {"create": 0, "update": 1, "unchanged": 24, "skip": 0, "error": 0}
    [update] = system.all_rows(sync["id"], action="update")
    assert update["values"]["first_name"] == "Anders" and update["line"] == 12
    system.post(f"/api/v1/imports/{sync['id']}/start")
    assert system.wait_for_status(sync["id"], ("completed",))["counts"]["update"] == 1
    assert system.get(f"/api/v1/users/{rows[10][0]}")[1]["first_name"] == "Anders"


def test_patch_re_analyses_with_a_new_mapping_and_mode(system):
    rows = [["500001", "Fleur", "de", "Groot", "fleur@example.org", "v1"]]
    job = system.wait_for_status(system.upload(export_text(rows).encode(), kind="users")["id"], ("ready",))
    status, changed = system.request_patch(job["id"], {"mapping": {"Roepnaam": "ignore", "4": "ignore"},
                                                       "mode": "update"})
    assert status == 200 and changed["status"] == "analyzing"
    ready = system.wait_for_status(job["id"], ("ready",))
    assert ready["settings"]["mode"] == "update"
    assert [column["field"] for column in ready["columns"]][1] == "ignore"
    assert ready["counts"]["skip"] == 1  # mode update only changes existing users
    status, body = system.request_patch(job["id"], {"mode": "sometimes"})
    assert status == 422 and body["error"]["code"] == "invalid_option"


def test_errors_csv_lists_errors_and_skips_safe_for_spreadsheets(system):
    rows = [["=1+2", "Evil", "", "Formula", "", "h1"], ["600001", "@SUM(A1)", "", "Ok", "", "h1"]]
    job = system.upload(export_text(rows).encode(), kind="users", as_student=True, start=True)
    system.wait_for_status(job["id"], ("completed",))
    report = system.download(f"/api/v1/imports/{job['id']}/errors.csv")
    assert report.startswith("\ufeff".encode())
    lines = report.decode("utf-8-sig").splitlines()
    assert lines[0] == "line;code;action;message"
    assert lines[1].startswith("2;'=1+2;error;") and len(lines) == 2


def test_unusable_files_fail_the_job_with_the_contracts_code(system):
    cases = {
        b"": "empty_file",
        ";".join(HEADER).encode() + b"\r\n": "no_data_rows",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4: "not_text",
        b'Leerlingnummer;Roepnaam\r\n1;"Zo\xc3\xab\r\n2;Bram\r\n': "malformed_csv",
        b"Naam;Klas\r\nZoe;h1\r\n": "missing_required_column",
    }
    for content, code in cases.items():
        job = system.upload(content, kind="users", as_student=True)
        failed = system.wait_for_status(job["id"], ("failed",))
        assert failed["error"]["code"] == code, (content[:30], failed["error"])


def test_bad_options_are_422_and_wrong_media_type_415(system):
    client = PortalClient(system.base, system.token)
    for fields, field in [({}, "kind"), ({"kind": "teachers"}, "kind"), ({"kind": "users", "mode": "x"}, "mode"),
                          ({"kind": "users", "mapping": "[1]"}, "mapping"),
                          ({"kind": "users", "mapping": '{"A": "shoe_size"}'}, "mapping"),
                          ({"kind": "users", "delimiter": "|"}, "delimiter")]:
        status, body = client.upload("/api/v1/imports", fields, "a.csv", b"Leerlingnummer\r\n1\r\n")
        assert status == 422 and body["error"]["code"] == "invalid_option"
        assert body["error"]["details"]["field"] == field
    status, body = client.request("POST", "/api/v1/imports", {"kind": "users"})
    assert status == 415
    assert system.get("/api/v1/imports/nope")[0] == 404
    listed = system.get("/api/v1/imports?kind=users&limit=2")[1]
    assert len(listed["items"]) == 2 and listed["next_cursor"]


def run_cli(system, tmp_path, content: bytes, *arguments, answer: str | None = None):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(content)
    return subprocess.run(
        console_script("portal", "import", "users", str(path), "--url", system.base, "--token", system.token,
                       *arguments),
        input=answer, capture_output=True, text=True, timeout=120, env={**os.environ, "PORTAL_DATA_DIR": str(tmp_path)},
    )


def test_the_cli_shows_the_preview_asks_and_imports_with_a_summary(system, tmp_path):
    content = cp1252_export([["310001", "Zoë", "", "Bakker", "", "h1"], ["31x002", "Bram", "", "Linden", "", "h1"]])
    declined = run_cli(system, tmp_path, content, "--as-student", "--lang", "en", answer="n\n")
    assert declined.returncode == 0, declined.stderr
    assert re.search(r"Delimiter:\s+semicolon", declined.stdout) and "Encoding: cp1252" in declined.stdout
    assert "Leerlingnummer" in declined.stdout and "→ code" in declined.stdout
    assert "create 1  update 0  unchanged 0  skip 0  error 1" in declined.stdout and "Not started" in declined.stdout
    assert system.get("/api/v1/users/310001")[0] == 404

    done = run_cli(system, tmp_path, content, "--as-student", "--yes", "--map", "Roepnaam=ignore", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "Import completed: create 1  update 0  unchanged 0  skip 0  error 1" in done.stdout
    assert "line 3:" in done.stdout
    # The printed address opens in a browser: no token, the link itself is the proof.
    link = re.search(r"All errors and skips \(opens in a browser until \d\d:\d\d\): (\S+)", done.stdout).group(1)
    assert link.startswith(f"{system.base}/api/v1/imports/") and "signature=" in link
    with urllib.request.urlopen(link, timeout=10) as report:
        assert report.read().decode("utf-8-sig").splitlines()[1].startswith("3;31x002;error;")
    user = system.get("/api/v1/users/310001")[1]
    assert user["is_student"] and user["first_name"] is None  # Roepnaam was labelled ignore


def test_the_cli_reports_an_unusable_file_and_a_refused_option(system, tmp_path):
    failed = run_cli(system, tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00", "--yes")
    assert failed.returncode == 1 and "not_text" in failed.stdout
    refused = run_cli(system, tmp_path, b"a\r\n1\r\n", "--yes", "--delimiter", "pipe")
    assert refused.returncode == 1 and "invalid_option" in refused.stderr


def cli_without_terminal(tmp_path, *arguments, stdin: str = ""):
    """`portal import users` as a script runs it: no terminal, nothing inherited to log in with."""
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(cp1252_export([["320001", "Zoë", "", "Bakker", "", "h1"]]))
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_TOKEN": "", "PORTAL_ADMIN_PASSWORD": "",
           "PORTAL_URL": ""}
    return subprocess.run(console_script("portal", "import", "users", str(path), *arguments), input=stdin,
                          capture_output=True, text=True, timeout=120, env=env)


def test_the_cli_logs_in_without_a_terminal_with_the_password_on_standard_input(system, tmp_path):
    done = cli_without_terminal(tmp_path, "--url", system.base, "--password-stdin", "--code", "admin",
                                "--as-student", "--yes", "--lang", "en", stdin=f"{ADMIN_PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    assert "Import completed: create 1" in done.stdout
    assert system.get("/api/v1/users/320001")[1]["is_student"]

    wrong = cli_without_terminal(tmp_path, "--url", system.base, "--password-stdin", "--yes", stdin="wrong\n")
    assert wrong.returncode == 1 and "invalid_credentials" in wrong.stderr


def test_without_a_terminal_or_credentials_the_cli_stops_at_once_naming_the_options(tmp_path):
    started = time.monotonic()
    refused = cli_without_terminal(tmp_path, "--url", f"http://127.0.0.1:{free_port()}")
    assert refused.returncode == 2 and time.monotonic() - started < 20
    assert "--token" in refused.stderr and "--password-stdin" in refused.stderr and not refused.stdout


def test_an_unreachable_portal_is_refused_naming_the_address_before_any_password_is_read(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    refused = cli_without_terminal(tmp_path, "--url", url, "--password-stdin", "--lang", "en", stdin="secret\n")
    assert refused.returncode == 2
    assert f"Cannot reach the portal at {url} (--url)" in refused.stderr and "PORTAL_URL" in refused.stderr

    # On a terminal, too, nothing is asked of a person before the portal answers.
    argv = console_script("portal", "import", "users", str(tmp_path / "leerlingen.csv"), "--lang", "en")
    output = on_a_terminal(argv,
                           {**os.environ, "PORTAL_DATA_DIR": str(tmp_path / "nowhere"), "PORTAL_PORT": str(free_port()),
                            "PORTAL_TOKEN": "", "PORTAL_ADMIN_PASSWORD": "", "PORTAL_URL": ""})
    assert "Cannot reach the portal at http://127.0.0.1:" in output and "PORTAL_PORT" in output
    assert "Password" not in output and "User code" not in output


def on_a_terminal(argv: list[str], env: dict[str, str], timeout: float = 30) -> str:
    """What a command writes when its standard streams are a terminal (a pseudo-terminal here); a
    command still waiting for an answer after `timeout` fails the test."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.2)
        try:
            chunk = os.read(controller, 4096) if ready else b""
        except OSError:  # the command exited and closed the terminal
            break
        if ready and not chunk:
            break
        output += chunk
    os.close(controller)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"still waiting after {timeout} s: {output.decode(errors='replace')}") from None
    return output.decode(errors="replace")


def test_a_hundred_thousand_rows_that_all_fail_complete_with_every_row_reported(system):
    lines = ["Leerlingnummer;Roepnaam"] + [f"L{number};Naam" for number in range(100000)]
    job = system.upload(("\r\n".join(lines) + "\r\n").encode(), kind="users", as_student=True, start=True)
    done = system.wait_for_status(job["id"], ("completed", "failed"), timeout=180)
    assert done["status"] == "completed"
    assert done["counts"] == {"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 100000}
    first = system.get(f"/api/v1/imports/{job['id']}/rows?action=error&limit=2")[1]["items"]
    assert [row["line"] for row in first] == [2, 3] and "cijfers" in first[0]["messages"][0]
    assert system.get("/api/v1/users/L1")[0] == 404
    assert system.get("/health")[0] == 200


def test_an_import_started_and_completed_is_in_the_audit_trail_through_the_gateway(system):
    job = system.upload(cp1252_export([["310001", "Ada", "", "Lovelace", "", "h1"]]), kind="users",
                        as_student=True, start=True)
    done = system.wait_for_status(job["id"], ("completed",))
    status, trail = system.get(f"/api/v1/audit?target={job['id']}")
    assert status == 200
    assert [entry["action"] for entry in trail["items"]] == ["import.completed", "import.started"]
    completed, started = trail["items"]
    assert completed["details"]["counts"] == done["counts"] and completed["actor"] == "admin"
    assert completed["client"] is None and started["client"] == "127.0.0.1"
    logins = system.get("/api/v1/audit?action=auth.login&actor=admin&limit=1")[1]["items"]
    assert len(logins) == 1 and logins[0]["target"] == "admin"
