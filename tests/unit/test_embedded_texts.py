"""`portal run`'s own output speaks the command's language: Dutch by default, English with --lang en or
an English locale (portal/texts.py); the password it prints once can be read from it in either."""

from pathlib import Path

import pytest

from portal import texts
from portal.cli import main
from portal.welcome import LABEL_WIDTH, Manager, welcome
from tests.e2e.test_embedded_run import admin_password, welcome_blocks

GENERATED = Manager("admin", "Zx8-generated_pw", created_now=True, password_from_environment=False)
KEPT = Manager("admin", None, created_now=False, password_from_environment=False)


@pytest.fixture(autouse=True)
def dutch_afterwards():
    yield
    texts.use("nl")


def test_the_welcome_block_is_dutch_by_default():
    texts.use(texts.chosen_language([], {"LANG": "nl_NL.UTF-8"}))
    [block] = welcome_blocks(welcome("http://127.0.0.1:8000", GENERATED, Path("/data/logs")) + "\n")
    assert block == {"Portaal": "http://127.0.0.1:8000  (open dit in een browser: de beheerconsole)",
                     "Gebruiker": "admin", "Wachtwoord": "Zx8-generated_pw eenmalig getoond: bewaar het",
                     "Logs": "/data/logs/  (één bestand per proces)", "Stoppen": "Ctrl-C"}


@pytest.mark.parametrize(("argv", "environ"), [(["run", "--lang", "en"], {}), (["run"], {"LANG": "en_US.UTF-8"})])
def test_the_welcome_block_is_english_with_lang_en_or_an_english_locale(argv, environ):
    texts.use(texts.chosen_language(argv, environ))
    [block] = welcome_blocks(welcome("http://127.0.0.1:8000", KEPT, None) + "\n")
    assert block == {"Portal": "http://127.0.0.1:8000  (open it in a browser: the admin console)",
                     "Log in as": "admin", "Password": "the one shown when it was created (not shown again)",
                     "Logs": "here (--verbose)", "Stop": "Ctrl-C"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_generated_password_is_read_from_the_log_in_either_language(language, tmp_path):
    texts.use(language)
    log = tmp_path / "portal.log"
    log.write_text("portal: ...\n" + welcome("http://127.0.0.1:8000", GENERATED, tmp_path) + "\n")
    assert admin_password(log) == "Zx8-generated_pw"
    assert all(len(texts.say(f"run_label_{name}")) <= LABEL_WIDTH
               for name in ("portal", "log_in_as", "password", "logs", "stop"))


def test_portal_run_chooses_its_language_as_every_command_does(monkeypatch, capsys):
    """`portal run` goes through the command's language choice before it prints anything."""
    said = []
    monkeypatch.setattr("portal.embedded.run", lambda verbose=False: said.append(texts.say("run_stopped")) or 0)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 0 and main(["run", "--lang", "nl"]) == 0
    assert said == ["portal: stopped", "portal: gestopt"]
