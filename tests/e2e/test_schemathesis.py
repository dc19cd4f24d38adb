"""Schemathesis against the merged OpenAPI document of a running system: every operation it
describes, with `--checks all` and the stateful phase (links inferred from the answers), a fixed
seed and a bounded number of examples; with an application manager's token and without a token;
on the embedded `portal run` (SQLite) and on the separate processes against PostgreSQL.

Run only these with `make test-fuzz`. A failure lists each problem with a curl command that
reproduces it; the whole output and a JUnit report of each run land in
`test-artifacts/schemathesis/`. Failures the contract asks for are dropped in
`schemathesis_hooks.py`, with the reason; the settings are in `schemathesis.toml`."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.client import PortalClient
from portal.embedded import free_port
from tests.processes import ROOT, console_script, start, stop, wait_healthy

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

SEED = 20261130
MAX_EXAMPLES = 50  # per operation and phase: about 20 s a run on a 2-core machine
RUN_TIMEOUT = 600  # a hang is a failure, never a stuck `make test`
CONFIG = Path(__file__).with_name("schemathesis.toml")
ARTIFACTS = ROOT / "test-artifacts" / "schemathesis"
ADMIN_PASSWORD = "fuzz-admin-password"


@dataclass
class RunningSystem:
    database: str
    base: str
    token: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running_system(request, tmp_path_factory):
    """`portal run` on a fresh data dir (SQLite, embedded Redis), or the separate processes of
    tests/e2e/system.py on fresh PostgreSQL databases."""
    if request.param == "postgresql":
        system = request.getfixturevalue("system")
        yield RunningSystem("postgresql", system.base, system.token)
        return
    tmp_path = tmp_path_factory.mktemp("fuzzed-portal")
    port, log = free_port(), tmp_path / "portal.log"
    env = {"PORTAL_DATA_DIR": str(tmp_path / "var"), "PORTAL_PORT": str(port), "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD}
    for name in ("REDIS_URL", "USERS_DATABASE_URL", "IMPORTER_DATABASE_URL", "ENROLLMENTS_DATABASE_URL",
                 "PORTAL_SECRET_KEY", "PORTAL_FAULT"):
        env[name] = ""  # embedded defaults, whatever the calling shell has set
    process = start(console_script("portal", "run"), env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, timeout=90, process=process, log=log)
        yield RunningSystem("sqlite", base, PortalClient(base).login("admin", ADMIN_PASSWORD))
    finally:
        stop(process, signal.SIGINT)


def test_the_document_holds_for_an_application_manager(running_system):
    # Logging out ends the session whose token the rest of this run uses: every later request would
    # be a 401. The anonymous run and tests/integration/test_sessions.py take logout on.
    run_schemathesis(running_system, "admin", "-H", f"Authorization: Bearer {running_system.token}",
                     "--exclude-operation-id", "users.log_out")


def test_the_document_holds_for_a_caller_without_a_token(running_system):
    run_schemathesis(running_system, "anonymous")


def run_schemathesis(system: RunningSystem, who: str, *options: str) -> None:
    name = f"{system.database}-{who}"
    reports = ARTIFACTS / name
    reports.mkdir(parents=True, exist_ok=True)
    command = [
        *console_script("schemathesis"), "--config-file", str(CONFIG), "--no-color",
        "run", f"{system.base}/api/v1/openapi.json",
        "--checks", "all", "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--request-timeout", "30", "--report", "junit", "--report-dir", str(reports), *options,
    ]
    # The hooks module is imported by name, from this checkout.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    output = done.stdout + done.stderr
    log = ARTIFACTS / f"{name}.log"
    log.write_text(output)
    exit_code = done.returncode
    assert exit_code == 0, (
        f"Schemathesis found failures on {system.database} ({who}); whole output in {log}; "
        f"run again with `make test-fuzz`.\n\n{failures_of(output)}"
    )


def failures_of(output: str, limit: int = 20000) -> str:
    """The report from its FAILURES (or ERRORS) section on: each failure with its curl command,
    then the summary."""
    starts = [output.find(marker) for marker in ("= FAILURES =", "= ERRORS =") if marker in output]
    text = output[min(starts):] if starts else output
    return text if len(text) <= limit else text[:limit // 2] + "\n[...]\n" + text[-limit // 2:]
