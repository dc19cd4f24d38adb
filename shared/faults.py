"""Named crash points, so tests can kill a process at an exact moment (e.g. after commit, before publish)."""

import os
import signal

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


FREEZING_ROW = "row.freezes:"  # PORTAL_FAULT=row.freezes:020002 stops the process applying that row's chunk


def freeze_on_rows(rows_values: list[dict[str, str]], attempt: int) -> None:
    """Stop this process (SIGSTOP, as a debugger or a paused VM would) when PORTAL_FAULT names a value one
    of these rows holds, on the chunk's first delivery only: called inside the transaction that applies the
    rows, it leaves their locks held by a process that neither answers nor dies."""
    fault = os.environ.get(FAULT_ENV, "")
    if attempt == 1 and fault.startswith(FREEZING_ROW):
        value = fault[len(FREEZING_ROW):]
        if any(value in values.values() for values in rows_values):
            os.kill(os.getpid(), signal.SIGSTOP)
