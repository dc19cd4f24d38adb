"""The language the `portal` command speaks: Dutch, unless `--lang en` or the locale says English.

Its texts are the shared catalogue's (`shared/catalogue/*/cli.json` and the services' codes), so the
command, the console and the services say the same thing the same way; the command also asks the
portal for its answers in that language (Accept-Language), so a refusal reads as the rest does.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from shared import catalogue

# The locale variables in the order POSIX gettext reads them (LANGUAGE may list several: "en:nl").
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current = catalogue.DEFAULT_LANGUAGE


def chosen_language(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """`--lang nl|en` (or `--lang=en`) anywhere on the command line, else English when the first set
    locale variable starts with `en`, else Dutch."""
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(argv):
            return _known(argv[index + 1])
        if argument.startswith("--lang="):
            return _known(argument.partition("=")[2])
    for name in LOCALE_VARIABLES:
        if value := environ.get(name, ""):
            return "en" if value.lower().startswith("en") else catalogue.DEFAULT_LANGUAGE
    return catalogue.DEFAULT_LANGUAGE


def _known(value: str) -> str:
    return value if value in catalogue.LANGUAGES else catalogue.DEFAULT_LANGUAGE


def use(language: str) -> None:
    """Speak `language` from now on (the command does this once, before it parses its arguments)."""
    global _current
    _current = _known(language)
    argparse._ = _argparse_text  # type: ignore[attr-defined]  # argparse's own words: "usage:", ...


def language() -> str:
    return _current


def say(code: str, /, **params: Any) -> str:
    """The text of `code` in the command's language, its `{name}`s filled in."""
    return catalogue.text(code, _current, params)


def _argparse_text(message: str) -> str:
    """argparse's own texts (it looks them up through gettext when it needs them) in our language."""
    return catalogue.text("cli_argparse_" + _ARGPARSE_KEYS[message], _current, fallback=message) \
        if message in _ARGPARSE_KEYS else message


_ARGPARSE_KEYS = {
    "usage: ": "usage",
    "positional arguments": "positional",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "help",
    "the following arguments are required: %s": "required",
    "unrecognized arguments: %s": "unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "expected one argument": "one_argument",
    "%(prog)s: error: %(message)s\n": "error",
    "invalid %(type)s value: %(value)r": "invalid_value",
    "argument %(argument_name)s: %(message)s": "argument",
}
