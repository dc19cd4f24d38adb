"""Named crash points, so tests can kill a process at an exact moment (e.g. after commit, before publish)."""

import os

FAULT_ENV = "PORTAL_FAULT"


def crash_point(name: str) -> None:
    """Die at once, like SIGKILL (no cleanup, no flush), when PORTAL_FAULT names this point."""
    if os.environ.get(FAULT_ENV) == name:
        os._exit(97)
