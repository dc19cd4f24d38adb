"""Where the command line finds the portal: the way `portal run` started it.

`portal run` records its address and its Redis URL in PORTAL_DATA_DIR/run.json (0600: the Redis URL
holds the password) and removes the file when it stops. The CLI reads the same PORTAL_DATA_DIR and
PORTAL_PORT defaults, so a portal started with `make run` is found without repeating its settings;
--url and PORTAL_URL (REDIS_URL for Redis) still win. Reading never creates anything in the data dir.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.config import data_dir_of, port_of
from shared.private_files import write_private_file

RUN_FILE = "run.json"


@dataclass(frozen=True)
class Found:
    """An address and where it came from, so that a failure can say what was tried."""

    url: str
    source: str


def write_run_file(data_dir: Path, url: str, redis_url: str | None) -> None:
    record = {"url": url, "redis_url": redis_url, "pid": os.getpid()}
    write_private_file(data_dir / RUN_FILE, json.dumps(record))


def remove_run_file(data_dir: Path) -> None:
    """Only our own record: another `portal run` on the same data dir may have written it since."""
    if read_run_file(data_dir).get("pid") == os.getpid():
        (data_dir / RUN_FILE).unlink(missing_ok=True)


def read_run_file(data_dir: Path) -> dict:
    """What the running `portal run` recorded; {} when none runs (a file left by one that was killed
    names a process that is gone, and is ignored)."""
    try:
        record = json.loads((data_dir / RUN_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or not _process_alive(record.get("pid")):
        return {}
    return record


def portal_url(explicit: str | None, environ: Mapping[str, str]) -> Found:
    if explicit:
        return Found(explicit, "--url")
    if environ.get("PORTAL_URL"):
        return Found(environ["PORTAL_URL"], "PORTAL_URL")
    data_dir = data_dir_of(environ)
    recorded = read_run_file(data_dir).get("url")
    if recorded:
        return Found(recorded, f"the running `portal run`, recorded in {data_dir / RUN_FILE}")
    port_source = "PORTAL_PORT" if environ.get("PORTAL_PORT") else "the default port"
    return Found(f"http://127.0.0.1:{port_of(environ)}",
                 f"{port_source}; no running `portal run` recorded in {data_dir / RUN_FILE}")


def redis_url(environ: Mapping[str, str]) -> Found | None:
    if environ.get("REDIS_URL"):
        return Found(environ["REDIS_URL"], "REDIS_URL")
    data_dir = data_dir_of(environ)
    recorded = read_run_file(data_dir).get("redis_url")
    return Found(recorded, f"{data_dir / RUN_FILE}") if recorded else None


def how_to_point_elsewhere() -> str:
    return ("Start it with `make run`, or point the command at it: --url URL (or PORTAL_URL), or the "
            "PORTAL_DATA_DIR and PORTAL_PORT that `portal run` was started with.")


def _process_alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return True  # a record without a pid (an older `portal run`): trust it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but another account's
    return True
