"""A school function changed without repeating what stays (PATCH), with fakes: what is left out
stays, nothing changes when a rule refuses, and the console names every right in both languages."""

import re
from pathlib import Path

import pytest

from services.users import handlers
from services.users.commands import ChangeSchoolFunction, PutSchoolFunction
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.policy import Actor
from shared.rights import RIGHTS
from tests.unit.fakes import MANAGER, FakeUnitOfWork

I18N = Path(__file__).resolve().parents[2] / "portal" / "console" / "i18n.js"


@pytest.fixture
def uow():
    uow = FakeUnitOfWork()
    handlers.create_school_function(uow, PutSchoolFunction.from_json(
        {"code": "mentor", "name": "Mentor", "rights": ["users:read"]}), MANAGER)
    return uow


def change(uow, body, code="mentor", actor=MANAGER):
    return handlers.change_school_function(uow, ChangeSchoolFunction.from_json(code, body), actor)


def test_new_rights_keep_the_name_and_a_new_name_keeps_the_rights(uow):
    assert change(uow, {"rights": ["users:read", "audit:read"]}).name == "Mentor"
    renamed = change(uow, {"name": "Mentor bovenbouw"})
    assert (renamed.name, renamed.rights) == ("Mentor bovenbouw", ("audit:read", "users:read"))
    assert handlers.get_school_function(uow, "mentor") == renamed


def test_an_empty_patch_changes_nothing(uow):
    before = handlers.get_school_function(uow, "mentor")
    assert change(uow, {}) == before


def test_an_unknown_right_or_function_is_refused_and_nothing_changes(uow):
    with pytest.raises(InvalidInput) as refused:
        change(uow, {"rights": ["users:read", "users:delete"]})
    assert refused.value.code == "unknown_right"
    with pytest.raises(NotFound):
        change(uow, {"name": "X"}, code="conciërge")
    assert handlers.get_school_function(uow, "mentor").rights == ("users:read",)


def test_a_right_the_editor_lacks_is_refused_with_the_missing_rights(uow):
    editor = Actor("admin", frozenset({"school_functions:write", "users:read"}))
    with pytest.raises(Forbidden) as refused:
        change(uow, {"rights": ["users:read", "imports:write"]}, actor=editor)
    assert refused.value.code == "insufficient_rights" and refused.value.details["missing"] == ["imports:write"]


def test_the_application_manager_keeps_every_right(uow):
    with pytest.raises(Conflict):
        change(uow, {"rights": ["users:read"]}, code="applicatiebeheerder")
    kept = change(uow, {"name": "Functioneel beheer"}, code="applicatiebeheerder").rights
    assert set(kept) == set(RIGHTS)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_console_names_every_right_and_has_every_users_and_school_functions_text(language):
    source = I18N.read_text(encoding="utf-8")
    block = re.search(rf"^Object\.assign\(TEXTS\.{language}, \{{(.*?)^\}}\);", source, re.S | re.M)
    assert block, f"no block of usr_/sf_ texts for {language} in {I18N}"
    keys = set(re.findall(r'"?((?:usr|sf)_[a-z_:]+)"?:', block.group(1)))
    assert {f"sf_right_{right}" for right in RIGHTS} <= keys
    other = "en" if language == "nl" else "nl"
    other_block = re.search(rf"^Object\.assign\(TEXTS\.{other}, \{{(.*?)^\}}\);", source, re.S | re.M)
    assert keys == set(re.findall(r'"?((?:usr|sf)_[a-z_:]+)"?:', other_block.group(1)))
