"""The one catalogue of texts per language, shared by the services, the console and the CLI.

Keys are the contract's stable codes: error codes (`user_not_found`), row reasons
(`code_not_numeric`), import failures (`malformed_csv`). A language's catalogue is the folder of that
name; its files only split it by subject (a code is in one file of the folder, but for `errors.json`,
whose texts give way to a subject file's text for the same code). A text may name its
parameters as `{name}`; a list parameter is written as "a, b". A part of a text in square brackets
is shown only when every parameter it names is known (`"Onbekende rechten[: {rights}]."`), so one
text reads well whether the error's details name the value or not. Dutch is the default language, English the other one.
Messages that cross a process (row results of an import) travel as notes, `{"code", "params"}`,
and become text only when they are shown, in the language the reader asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
_HERE = Path(__file__).parent


# Holds a text for every error code the services raise, so none is ever without one; a subject's own
# file may word a code of it too (schedule projects, school functions), and then that text is the one.
FALLBACK_FILE = "errors.json"


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of a language, by code."""
    texts: dict[str, str] = {}
    for part in sorted((_HERE / language).glob("*.json")):
        if part.name == FALLBACK_FILE:
            continue
        subject = json.loads(part.read_text(encoding="utf-8"))
        if repeated := subject.keys() & texts.keys():
            raise ValueError(f"{part} repeats codes of the {language} catalogue: {sorted(repeated)}")
        texts.update(subject)
    fallback = _HERE / language / FALLBACK_FILE
    if fallback.exists():
        for code, text in json.loads(fallback.read_text(encoding="utf-8")).items():
            texts.setdefault(code, text)
    return texts


def language(accept_language: str | None) -> str:
    """The catalogue language an `Accept-Language` header (or a `lang` value) asks for: the first one
    we have by preference, else Dutch."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    preferred: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";")
        weight = 1.0
        if quality.strip().startswith("q="):
            try:
                weight = float(quality.strip()[2:])
            except ValueError:
                weight = 0.0
        preferred.append((-weight, position, tag.strip().lower().split("-")[0]))
    for weight, _, tag in sorted(preferred):
        if tag in LANGUAGES and weight < 0:
            return tag
    return DEFAULT_LANGUAGE


def note(code: str, /, **params: Any) -> dict[str, Any]:
    """A message as it crosses a process: its code and what it is about."""
    return {"code": code, "params": params}


def text(code: str, /, lang: str = DEFAULT_LANGUAGE, params: Mapping[str, Any] | None = None,
         fallback: str | None = None) -> str:
    """The code's text in `lang` with its parameters filled in; `fallback` (or the code) when the
    catalogue has no text for it."""
    template = catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).get(code)
    if template is None:
        return fallback if fallback is not None else code
    known = _Params(params or {})
    # split() alternates the text outside brackets (even places) and inside them (odd places).
    parts = _OPTIONAL.split(template)
    return "".join(part.format_map(known) for place, part in enumerate(parts)
                   if place % 2 == 0 or _names_known(part, known))


def rights_in_words(rights: list[str], lang: str) -> str:
    """`rights` (codes) as a phrase in `lang`: "het recht ‘Logboek bekijken’", "de rechten ‘A’, ‘B’"."""
    names = [text(f"right_{right}", lang, fallback=right) for right in rights]
    if len(names) == 1:
        return text("rights_named_one", lang, {"name": names[0]})
    return text("rights_named_many", lang, {"names": ", ".join(f"‘{name}’" for name in names)})


def render(messages: Iterable[dict[str, Any] | str], lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """Notes as text; a plain string (a row stored before notes existed) is shown as it is."""
    return [message if isinstance(message, str) else text(message["code"], lang, message.get("params"))
            for message in messages]


_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _names_known(part: str, params: Mapping[str, Any]) -> bool:
    return all(name in params and params[name] not in (None, "", []) for name in _PLACEHOLDER.findall(part))


class _Params(dict):
    """Parameters for str.format_map: lists read "a, b", and a missing one stays visible as {name}."""

    def __init__(self, params: Mapping[str, Any]):
        super().__init__({name: _shown(value) for name, value in params.items()})

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def _shown(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(item) for item in value)
    return value
