import pytest

from tests.e2e.faults.harness import Scenario
from tests.e2e.faults.invariants import RECOVERIES, Recovery

FAILED_CALL = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when == "call" and report.failed:
        item.stash[FAILED_CALL] = True


@pytest.fixture
def scenario(request, tmp_path):
    """A scenario's own PostgreSQL, Redis and system (started by `scenario.open(...)` in the test),
    ended with every process and mount whatever happens; on a failure the logs' ends are printed."""
    opened = Scenario(request.node.name, tmp_path)
    try:
        yield opened
    finally:
        if request.node.stash.get(FAILED_CALL, False):
            print(opened.logs())
            if not any(recovery.scenario == opened.name for recovery in RECOVERIES):
                RECOVERIES.append(Recovery(opened.name, None, 0, "failed before the fault healed"))
        opened.close()


def pytest_terminal_summary(terminalreporter):
    if not RECOVERIES:
        return
    width = max(len(recovery.scenario) for recovery in RECOVERIES)
    terminalreporter.section("faults: time to recover")
    terminalreporter.write_line(f"{'scenario':<{width}} | time to recover | rows")
    for recovery in RECOVERIES:
        took = f"{recovery.seconds:.1f} s" if recovery.seconds is not None else "did not recover"
        terminalreporter.write_line(f"{recovery.scenario:<{width}} | {took:<15} | {recovery.rows}")
        if recovery.seconds is None:
            terminalreporter.write_line(f"{'':<{width}}   ({recovery.outcome})")
