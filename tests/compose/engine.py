"""A Docker engine of the tests' own: installed from Debian's packages when missing, started with its
own data root, socket and containerd namespace (nothing of another engine on the machine is touched),
without a bridge or iptables rules (the stack runs on the host's network), and stopped afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SOCKET = Path("/run/portal-test-docker.sock")
PIDFILE = Path("/run/portal-test-docker.pid")
DATA_ROOT = Path("/var/lib/portal-test-docker")  # kept between runs: the images are cached there
EXEC_ROOT = Path("/run/portal-test-docker")
# The programs the compose test needs, and the Debian package of each.
PACKAGES = {"dockerd": "docker.io", "docker": "docker.io", "docker-compose": "docker-compose",
            "debootstrap": "debootstrap"}


def install_missing() -> None:
    missing = sorted({package for program, package in PACKAGES.items() if shutil.which(program) is None})
    if not missing:
        return
    assert os.geteuid() == 0, f"the compose test needs {', '.join(missing)} and root to install them with apt"
    quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    subprocess.run(["apt-get", "update", "-qq"], check=True, **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, **quiet)


@contextmanager
def private_engine(log: Path) -> Iterator[dict[str, str]]:
    """The environment that points docker and docker-compose at a freshly started engine."""
    install_missing()
    _stop_leftover()
    environment = {**os.environ, "DOCKER_HOST": f"unix://{SOCKET}"}
    with log.open("ab") as output:
        engine = subprocess.Popen(
            ["dockerd", f"--data-root={DATA_ROOT}", f"--exec-root={EXEC_ROOT}", f"--pidfile={PIDFILE}",
             f"--host=unix://{SOCKET}", "--bridge=none", "--iptables=false", "--ip-masq=false",
             "--containerd-namespace=portal-test", "--containerd-plugins-namespace=portal-test-plugins"],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_answering(engine, environment, log)
        yield environment
    finally:
        _stop(engine)


def _wait_until_answering(engine: subprocess.Popen, environment: dict[str, str], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert engine.poll() is None, f"dockerd exited ({engine.returncode}); see {log}"
        if subprocess.run(["docker", "version"], env=environment, capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"dockerd did not answer within 60 s; see {log}")


def _stop(engine: subprocess.Popen) -> None:
    engine.send_signal(signal.SIGTERM)  # dockerd stops its containers and its containerd
    try:
        engine.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(engine.pid, signal.SIGKILL)
        engine.wait()


def _stop_leftover() -> None:
    """An engine of an earlier run that was itself killed still holds the socket and data root."""
    try:
        pid = int(PIDFILE.read_text())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(120):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
