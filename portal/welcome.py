"""What `portal run` tells the person who started it, last, in a frame: where the portal is, how to
log in, where the logs are and how to stop. The children write to log files, so nothing scrolls it away.
Its texts are the catalogue's (`shared/catalogue/*/embedded.json`), in the command's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portal.texts import say

LABEL_WIDTH = 10


@dataclass(frozen=True)
class Manager:
    """The first application manager as this start found it."""

    code: str
    generated_password: str | None  # created now with a generated password: shown here, once
    created_now: bool
    password_from_environment: bool


def password_lines(manager: Manager) -> list[tuple[str, str]]:
    label = say("run_label_password")
    if manager.generated_password:
        # The password alone on its line, its note on the next: whoever reads the log takes the line's
        # first word, in either language.
        return [(label, manager.generated_password), ("", say("run_password_shown_once"))]
    if manager.created_now and manager.password_from_environment:
        return [(label, say("run_password_from_environment"))]
    return [(label, say("run_password_not_again"))]


def welcome(url: str, manager: Manager, logs: Path | None) -> str:
    """The block in the command's language (portal/texts.py: Dutch, or English with --lang en or an
    English locale); its labels fit the first column of LABEL_WIDTH characters in both."""
    rows = [
        (say("run_label_portal"), say("run_portal_hint", url=url)),
        (say("run_label_log_in_as"), manager.code),
        *password_lines(manager),
        (say("run_label_logs"), say("run_logs_per_process", logs=logs) if logs else say("run_logs_here")),
        (say("run_label_stop"), "Ctrl-C"),
    ]
    return framed([f"{label:<{LABEL_WIDTH}} {value}" for label, value in rows])


def framed(lines: list[str]) -> str:
    """ASCII, so that any terminal and any log shows it."""
    width = max(len(line) for line in lines)
    edge = "+" + "-" * (width + 2) + "+"
    return "\n".join([edge, *(f"| {line:<{width}} |" for line in lines), edge])
