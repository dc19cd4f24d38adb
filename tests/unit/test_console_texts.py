"""The console names every audit action in Dutch and in English (the Logboek's filter and rows)."""

import re
from pathlib import Path

import pytest

from shared.audit import ACTIONS

I18N = Path(__file__).resolve().parents[2] / "portal" / "console" / "i18n.js"


def texts_of(language: str) -> set[str]:
    source = I18N.read_text(encoding="utf-8")
    block = re.search(rf"^  {language}: \{{(.*?)^  \}},", source, re.S | re.M)
    assert block, f"no {language} block in {I18N}"
    return set(re.findall(r'"action_([a-z_.]+)":', block.group(1)))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_audit_action_has_a_name_in_the_console(language):
    assert set(ACTIONS) - texts_of(language) == set()
