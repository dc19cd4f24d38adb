"""Named crash points, so tests can kill a process at an exact moment (e.g. after commit, before publish)."""

import os

FAULT_ENV = "PORTAL_FAULT"


def crash_point(name: str) -> None:
    """Die at once, like SIGKILL (no cleanup, no flush), when PORTAL_FAULT names this point."""
    if os.environ.get(FAULT_ENV) == name:
        os._exit(97)


FAILING_ROW = "row.raises:"  # PORTAL_FAULT=row.raises:020002 makes every chunk holding that value raise


class InjectedFault(RuntimeError):
    """Raised at a fault point: stands for a bug a row's data triggers in a service."""


def fail_on_rows(rows_values: list[dict[str, str]]) -> None:
    """Raise when PORTAL_FAULT names a cell value (`row.raises:VALUE`) that one of these rows holds."""
    fault = os.environ.get(FAULT_ENV, "")
    if fault.startswith(FAILING_ROW):
        value = fault[len(FAILING_ROW):]
        if any(value in values.values() for values in rows_values):
            raise InjectedFault(f"PORTAL_FAULT {fault}")
