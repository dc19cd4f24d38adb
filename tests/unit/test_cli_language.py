"""The `portal` command speaks Dutch unless asked for English, asks the portal for its answers in that
language, and sends the users import's options the contract names. A small stand-in portal on a local
port records what the command sends."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal import cli, texts
from portal.importing import _options

JOB = {"id": "job-1", "kind": "users", "status": "ready", "filename": "leerlingen.csv", "total_rows": 2,
       "settings": {"delimiter": ";", "encoding": "utf-8", "mode": "synchronize", "as_student": True,
                    "login_method": "sso", "archive_missing": True, "max_archive_percent": 25},
       "columns": [{"index": 0, "header": "Leerlingnummer", "field": "code", "samples": ["100234"]}],
       "progress": {"processed": 0, "total": 2}, "error": None, "errors_csv_url": None,
       "counts": {"create": 1, "update": 0, "unchanged": 0, "skip": 0, "error": 0, "archive": 1}}


def dutch_locale(monkeypatch):
    """A machine whose locale is not English (the tests may run on one that is)."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def dutch_again():
    yield
    texts.use("nl")


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    ([], {}, "nl"),
    ([], {"LANG": "C.UTF-8"}, "nl"),
    ([], {"LANG": "en_GB.UTF-8"}, "en"),
    ([], {"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
    ([], {"LANGUAGE": "en:nl", "LC_ALL": "nl_NL.UTF-8"}, "en"),
    (["import", "users", "f.csv", "--lang", "en"], {}, "en"),
    (["--lang=nl", "login"], {"LANG": "en_US.UTF-8"}, "nl"),
    (["--lang", "fr"], {}, "nl"),
])
def test_the_language_is_the_option_else_the_locale_else_dutch(argv, environ, expected):
    assert texts.chosen_language(argv, environ) == expected


def test_the_users_import_options_are_sent_as_the_contract_names_them():
    args = cli.build_parser().parse_args(["import", "users", "f.csv", "--mode", "synchronize", "--as-student",
                                          "--login-method", "sso", "--archive-missing", "--max-archive-percent", "25"])
    assert _options(args) == {"kind": "users", "mode": "synchronize", "as_student": True, "login_method": "sso",
                              "archive_missing": True, "max_archive_percent": 25}
    plain = cli.build_parser().parse_args(["import", "users", "f.csv"])
    assert _options(plain) == {"kind": "users", "mode": "import", "as_student": False}


@pytest.mark.parametrize("wrong", [["--login-method", "ldap"], ["--max-archive-percent", "101"],
                                   ["--max-archive-percent", "ten"]])
def test_a_wrong_option_value_is_refused_in_dutch(wrong, capsys, monkeypatch):
    dutch_locale(monkeypatch)
    with pytest.raises(SystemExit) as refused:
        cli.main(["import", "users", "f.csv", *wrong])
    assert refused.value.code == 2
    error = capsys.readouterr().err
    assert "gebruik: portal import users" in error and "fout:" in error


def test_the_help_is_dutch_by_default_and_english_on_request(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per option
    dutch_locale(monkeypatch)
    with pytest.raises(SystemExit):
        cli.main(["import", "users", "--help"])
    dutch = capsys.readouterr().out
    assert "vertrekkers: elke actieve leerling die niet in het bestand staat archiveren" in dutch
    assert "deze hulptekst tonen en stoppen" in dutch
    with pytest.raises(SystemExit):
        cli.main(["import", "users", "--help", "--lang", "en"])
    assert "leavers: archive every active student missing from the file" in capsys.readouterr().out


class StandInPortal(BaseHTTPRequestHandler):
    """Answers as a portal does to one users import; keeps each request's path, headers and body."""

    seen: list[tuple[str, str, dict, bytes]] = []

    def do_GET(self):
        self._record(b"")
        if self.path == "/health":
            return self._answer(200, {"status": "ok"})
        if self.path.startswith("/api/v1/imports/job-1/rows"):
            return self._answer(200, {"items": [], "next_cursor": None})
        return self._answer(200, {**JOB, "status": "completed" if self._started() else "ready"})

    def do_POST(self):
        self._record(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/api/v1/imports":
            return self._answer(202, JOB)
        if self.path == "/api/v1/imports/job-1/start":
            return self._answer(409, {"error": {"code": "change_threshold_exceeded", "details": {},
                                                "message": "Ander bericht" if self._language() == "nl" else "Other"}})
        return self._answer(404, {})

    def _started(self) -> bool:
        return any(path.endswith("/start") for _, path, _, _ in self.seen)

    def _language(self) -> str | None:
        return self.headers.get("Accept-Language")

    def _record(self, body: bytes) -> None:
        self.seen.append((self.command, self.path, dict(self.headers), body))

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def portal_url():
    StandInPortal.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInPortal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_import(tmp_path, portal_url, *extra):
    export = tmp_path / "leerlingen.csv"
    export.write_bytes(b"Leerlingnummer\r\n100234\r\n")
    return cli.main(["import", "users", str(export), "--mode", "synchronize", "--as-student", "--login-method",
                     "sso", "--archive-missing", "--max-archive-percent", "25", "--yes", "--url", portal_url,
                     "--token", "t0k3n", *extra])


def test_an_import_sends_its_options_and_language_and_speaks_dutch(tmp_path, portal_url, capsys, monkeypatch):
    dutch_locale(monkeypatch)
    assert run_import(tmp_path, portal_url) == 1  # the stand-in refuses the start
    upload = next(body for method, path, _, body in StandInPortal.seen if path == "/api/v1/imports")
    for name, value in {"login_method": "sso", "archive_missing": "true", "max_archive_percent": "25",
                        "mode": "synchronize", "as_student": "true"}.items():
        assert f'name="{name}"\r\n\r\n{value}\r\n'.encode() in upload
    assert {headers.get("Accept-Language") for _, path, headers, _ in StandInPortal.seen if path != "/health"} \
        == {"nl"}
    output = capsys.readouterr()
    assert "Scheidingsteken:  puntkomma" in output.out and "Modus: synchronize    Als leerling: ja" in output.out
    assert "Inlogmethode van nieuwe gebruikers: sso" in output.out
    assert "Vertrekkers archiveren: ja, hoogstens 25% van de actieve leerlingen" in output.out
    assert "Gepland:          nieuw 1  bijwerken 0  ongewijzigd 0  overslaan 0  fout 0  archiveren 1" in output.out
    assert "Het portal weigerde: 409 change_threshold_exceeded: Ander bericht" in output.err


def test_an_import_in_english_asks_the_portal_for_english(tmp_path, portal_url, capsys):
    assert run_import(tmp_path, portal_url, "--lang", "en") == 1
    assert {headers.get("Accept-Language") for _, path, headers, _ in StandInPortal.seen if path != "/health"} \
        == {"en"}
    output = capsys.readouterr()
    assert "Planned:          create 1  update 0  unchanged 0  skip 0  error 0  archive 1" in output.out
    assert "The portal refused: 409 change_threshold_exceeded: Other" in output.err


def test_a_missing_file_is_said_in_dutch(tmp_path, capsys, monkeypatch):
    dutch_locale(monkeypatch)
    assert cli.main(["import", "users", str(tmp_path / "weg.csv"), "--token", "t", "--url", "http://127.0.0.1:9"]) == 2
    assert "Bestand niet gevonden" in capsys.readouterr().err
