"""A refusal for missing rights names them as the console's rights grid does, in the reader's language
("het recht ‘Logboek bekijken’"), never only by their code, which stays in the details for programs."""

import re
from pathlib import Path

import pytest
from flask import Flask

from shared import catalogue
from shared.catalogue import rights_in_words
from shared.http import register_error_handlers
from shared.policy import insufficient_rights
from shared.rights import RIGHTS

I18N = Path(__file__).resolve().parents[2] / "portal" / "console" / "i18n.js"


def app():
    flask = Flask(__name__)
    register_error_handlers(flask)

    @flask.get("/audit")
    def audit():
        raise insufficient_rights(["audit:read"])

    @flask.get("/import")
    def import_users():
        raise insufficient_rights(["users:write", "imports:write"])

    return flask.test_client()


def test_one_missing_right_is_named_in_dutch_and_its_code_stays_in_the_details():
    error = app().get("/audit").json["error"]
    assert error["message"] == "Dit mag u niet: u mist het recht ‘Logboek bekijken’."
    assert "audit:read" not in error["message"]
    assert error["code"] == "insufficient_rights"
    assert error["details"] == {"missing": ["audit:read"], "right": "audit:read"}


def test_several_missing_rights_are_named_in_english_when_asked():
    error = app().get("/import", headers={"Accept-Language": "en"}).json["error"]
    assert error["message"] == "You may not do this: you lack the rights ‘Import’, ‘Change users’."
    assert error["details"]["missing"] == ["imports:write", "users:write"]


def test_a_right_without_a_name_is_shown_by_its_code():
    assert rights_in_words(["audit:read", "x:write"], "nl") == "de rechten ‘Logboek bekijken’, ‘x:write’"


def console_names(language: str) -> dict[str, str]:
    """The rights grid's names (`sf_right_*`) in the i18n.js blocks of `language` (`TEXTS.nl`, ...)."""
    source = I18N.read_text(encoding="utf-8")
    blocks = re.findall(r"Object\.assign\(\w+\.(nl|en), \{(.*?)^\}\);", source, re.S | re.M)
    return {right: name for block_language, block in blocks if block_language == language
            for right, name in re.findall(r'"sf_right_([a-z_]+:[a-z]+)": "([^"]+)"', block)}


@pytest.mark.parametrize("language", catalogue.LANGUAGES)
def test_every_right_has_the_name_the_consoles_rights_grid_gives_it(language):
    named = {right: catalogue.text(f"right_{right}", language) for right in RIGHTS}
    assert named == {right: console_names(language)[right] for right in RIGHTS}
