"""Start the system's real processes from tests, and wait for them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")
    return subprocess.Popen(argv, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=ROOT)


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def console_script(name: str, *args: str) -> list[str]:
    return [str(Path(sys.executable).parent / name), *args]


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout=20) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode


def http(method: str, url: str, body=None, token: str | None = None, timeout=10):
    """(status, parsed JSON body) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def wait_healthy(base_url: str, timeout: float = 60, process: subprocess.Popen | None = None, log: Path | None = None):
    def healthy():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}: {log.read_text() if log else ''}")
        return http("GET", f"{base_url}/health", timeout=2)[0] == 200

    try:
        wait_until(healthy, timeout, f"{base_url}/health")
    except AssertionError:
        if log is not None:
            print(log.read_text()[-5000:])
        raise
