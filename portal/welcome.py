"""What `portal run` tells the person who started it, last, in a frame: where the portal is, how to
log in, where the logs are and how to stop. The children write to log files, so nothing scrolls it away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Manager:
    """The first application manager as this start found it."""

    code: str
    generated_password: str | None  # created now with a generated password: shown here, once
    created_now: bool
    password_from_environment: bool


def password_lines(manager: Manager) -> list[tuple[str, str]]:
    if manager.generated_password:
        return [("Password", manager.generated_password), ("", "shown once: keep it")]
    if manager.created_now and manager.password_from_environment:
        return [("Password", "the one in PORTAL_ADMIN_PASSWORD")]
    return [("Password", "the one shown when it was created (not shown again)")]


def welcome(url: str, manager: Manager, logs: Path | None) -> str:
    rows = [
        ("Portal", f"{url}  (open it in a browser: the admin console)"),
        ("Log in as", manager.code),
        *password_lines(manager),
        ("Logs", f"{logs}/  (one file per process)" if logs else "here (--verbose)"),
        ("Stop", "Ctrl-C"),
    ]
    return framed([f"{label:<10} {value}" if label else f"{'':<10} {value}" for label, value in rows])


def framed(lines: list[str]) -> str:
    """ASCII, so that any terminal and any log shows it."""
    width = max(len(line) for line in lines)
    edge = "+" + "-" * (width + 2) + "+"
    return "\n".join([edge, *(f"| {line:<{width}} |" for line in lines), edge])
