"""Every code the code base can send to a person has a Dutch and an English text in the catalogue.

The source is read, not run: each error raised with a literal code (`NotFound("user_not_found", ...)`),
each file problem, each note (`catalogue.note("duplicate_in_file", ...)`), each text of the `portal` command
(`say("cli_logged_in", ...)`), each row `reason=` and each
code a request model or table declares (`error_codes`, `_HTTP_CODES`). A code added without texts
fails here, naming the file it was found in.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from services.importer import domain as import_domain
from shared import catalogue
from shared.messages import ROW_FAILED

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("services", "shared", "portal")
ERROR_KINDS = {"PortalError", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "TooManyRequests",
               "Gone", "PayloadTooLarge", "UnsupportedMediaType", "ServiceUnavailable", "InvalidInput",
               "FileProblem", "note", "say"}
# Codes held in constants rather than written where they are raised.
NAMED_CODES = {import_domain.ANALYSIS_FAILED, import_domain.STORAGE_FULL, import_domain.STORAGE_FAILED,
               import_domain.NO_ANSWER, ROW_FAILED}
CODE = re.compile(r"[a-z][a-z0-9_]*")


def _called(call: ast.Call) -> str | None:
    function = call.func
    return function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) \
        else None


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _codes_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            kind = _called(node)
            if kind in ERROR_KINDS and node.args:
                found.add(_text(node.args[0]) or "")
            wanted = ("reason", "key") if kind in ERROR_KINDS else ("reason",)
            found.update(_text(keyword.value) or "" for keyword in node.keywords if keyword.arg in wanted)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "error_code":
                found.add(_text(node.value) or "")
            elif (name == "error_codes" or name.endswith("_CODES")) and isinstance(node.value, ast.Dict):
                found.update(_text(value) or "" for value in node.value.values)
        elif isinstance(node, ast.Dict):
            # A problem of a whole import, {"code": ..., "message": ...}, as a service answers it.
            keys = [_text(key) for key in node.keys]
            if "code" in keys and "message" in keys:
                found.add(_text(node.values[keys.index("code")]) or "")
        elif isinstance(node, ast.FunctionDef) and node.name == "_body_code":
            found.update(_text(inner.value) or "" for inner in ast.walk(node) if isinstance(inner, ast.Return))
    return {code for code in found if CODE.fullmatch(code)}


def codes_in_source() -> dict[str, str]:
    """Each code the source uses, with the first file that uses it."""
    codes: dict[str, str] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for code in _codes_in(ast.parse(path.read_text(encoding="utf-8"))):
                codes.setdefault(code, str(path.relative_to(ROOT)))
    for code in NAMED_CODES:
        codes.setdefault(code, "a named constant")
    return codes


def test_the_scan_finds_the_codes_it_is_meant_to_find():
    codes = codes_in_source()
    assert {"user_not_found", "insufficient_rights", "invalid_cursor", "malformed_json", "temporarily_unavailable",
            "unknown_student", "malformed_csv", "missing_required_column", "invalid_option", "missing_field",
            "method_not_allowed", "unknown_schedule_project", "duplicate_in_file", "enrollment_exists"} <= codes.keys()


@pytest.mark.parametrize("lang", catalogue.LANGUAGES)
def test_every_code_the_source_uses_has_a_text(lang):
    texts = catalogue.catalogue(lang)
    missing = {code: where for code, where in codes_in_source().items() if code not in texts}
    assert missing == {}, f"codes without a text in shared/catalogue/{lang}/: {missing}"


@pytest.mark.parametrize("lang", catalogue.LANGUAGES)
def test_every_text_reads_well_without_its_parameters_in_brackets(lang):
    """A text fills in `{name}` and drops `[... {name} ...]` when the name is unknown: no text may show
    a bracket or leave an unbalanced brace whatever its parameters."""
    for code in catalogue.catalogue(lang):
        shown = catalogue.text(code, lang)
        assert "[" not in shown and "]" not in shown, (code, shown)
        assert shown.count("{") == shown.count("}"), (code, shown)


def test_a_part_in_brackets_shows_only_when_its_parameters_are_known():
    assert catalogue.text("insufficient_rights", "nl", {"missing": ["x:read", "y:write"]}) == \
        "Hiervoor mist u rechten: x:read, y:write."
    assert catalogue.text("invalid_email", "nl", {"field": "email"}) == "Dit is geen geldig e-mailadres."
    assert catalogue.text("invalid_email", "en", {"email": "zoe@"}) == "This is not a valid email address: zoe@."
    assert catalogue.text("invalid_email", "en", {"email": None}) == "This is not a valid email address."


def test_a_value_with_braces_is_shown_as_it_is():
    assert catalogue.text("user_exists", "nl", {"code": "{field}"}) == "Er bestaat al een gebruiker met code {field}."


def test_a_subject_file_may_word_a_code_of_errors_json_its_own_way(tmp_path, monkeypatch):
    for lang in catalogue.LANGUAGES:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / catalogue.FALLBACK_FILE).write_text('{"x": "from errors.json", "y": "only here"}')
        (tmp_path / lang / "subject.json").write_text('{"x": "the subject\'s own"}')
    monkeypatch.setattr(catalogue, "_HERE", tmp_path)
    catalogue.catalogue.cache_clear()
    try:
        assert catalogue.catalogue("nl") == {"x": "the subject's own", "y": "only here"}
        (tmp_path / "nl" / "other.json").write_text('{"x": "a second subject"}')
        catalogue.catalogue.cache_clear()
        with pytest.raises(ValueError, match="repeats codes"):
            catalogue.catalogue("nl")
    finally:
        catalogue.catalogue.cache_clear()
