"""End-to-end user imports as students: upload → preview ready → start → completed, with every
user committed and every event on the stream, against PostgreSQL and Redis with the real gateway,
a users worker with two processes, the importer worker (+ beat) and the relay.

Prints rows/s, the time of a plain bulk INSERT of the same rows into the same PostgreSQL (measured
in the same run) and the ratio, the time to a ready preview, the peak memory of each process and
the p50/p99 latency of GET /api/v1/imports/{id} while the import runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import psycopg
import redis

from portal.client import PortalClient
from portal.embedded import free_port
from shared.config import EVENT_STREAM
from tests.dutch_files import HEADER, student_rows
from tests.processes import python_module, wait_healthy
from tests.services import fresh_postgres_database, private_redis

ADMIN_PASSWORD = "bench-admin-password"


def celery(service: str, *extra: str) -> list[str]:
    return [str(Path(sys.executable).parent / "celery"), "-A", f"services.{service}.worker", "worker", "-Q",
            service, "-n", f"{service}@%h", "--without-gossip", "--without-mingle", "-l", "warning", *extra]


class MemoryWatch(threading.Thread):
    """Samples the resident memory of every process of the system (and their children)."""

    def __init__(self, processes: dict[str, subprocess.Popen]):
        super().__init__(daemon=True)
        self.processes, self.peaks, self.stopping = processes, {}, threading.Event()

    def run(self):
        while not self.stopping.wait(0.1):
            for name, process in self.processes.items():
                try:
                    root = psutil.Process(process.pid)
                    for index, member in enumerate([root, *root.children(recursive=True)]):
                        label = name if index == 0 else f"{name} (child {index})"
                        self.peaks[label] = max(self.peaks.get(label, 0), member.memory_info().rss)
                except psutil.Error:
                    continue


class PollLatency(threading.Thread):
    def __init__(self, client: PortalClient, job_id: str):
        super().__init__(daemon=True)
        self.client, self.job_id, self.samples, self.stopping = client, job_id, [], threading.Event()

    def run(self):
        while not self.stopping.wait(0.05):
            started = time.perf_counter()
            self.client.call("GET", f"/api/v1/imports/{self.job_id}")
            self.samples.append(time.perf_counter() - started)


def write_export(path: Path, count: int, first_code: int) -> None:
    with open(path, "w", encoding="cp1252", newline="") as handle:
        handle.write(";".join(HEADER) + "\r\n")
        for row in student_rows(count, first_code):
            handle.write(";".join(row) + "\r\n")


def plain_bulk_insert_seconds(database_url: str, path: Path) -> float:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with open(path, encoding="cp1252") as handle:
        next(handle)
        rows = [line.rstrip("\r\n").split(";")[:5] for line in handle]
    with psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE baseline (code text primary key, first_name text, prefix text, "
                           "last_name text, email text)")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO baseline VALUES (%s, %s, %s, %s, %s)", rows)
        connection.commit()
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE baseline")
        connection.commit()
    return seconds


def run(sizes=(10_000, 100_000, 1_000_000)) -> list[dict]:
    results = []
    with fresh_postgres_database() as users_url, fresh_postgres_database() as importer_url, \
            private_redis() as redis_url, tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch:
        scratch = Path(scratch)
        port = free_port()
        env = {**os.environ, "USERS_DATABASE_URL": users_url, "IMPORTER_DATABASE_URL": importer_url,
               "REDIS_URL": redis_url, "PORTAL_PORT": str(port), "PORTAL_DATA_DIR": str(scratch),
               "PORTAL_SECRET_KEY": "benchmark-secret-key-0123456789abcdef", "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
               "PORTAL_MAX_UPLOAD_MB": "200"}
        portal = str(Path(sys.executable).parent / "portal")
        for command in ("migrate", "create-admin"):
            subprocess.run([portal, command], env=env, check=True, capture_output=True)
        programs = {
            "gateway": python_module("portal.gateway"),
            "users worker": celery("users", "--pool", "prefork", "--concurrency", "2"),
            "importer worker": celery("importer", "--pool", "solo", "--beat", "--schedule", str(scratch / "beat")),
            "relay": python_module("services.users.relay"),
        }
        processes = {name: subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=open(scratch / f"{name}.log", "w"))
                     for name, argv in programs.items()}
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, timeout=90)
            client = PortalClient(base, timeout=600)
            client.login("admin", ADMIN_PASSWORD)
            stream = redis.Redis.from_url(redis_url)
            first_code = 1_000_000
            for size in sizes:
                path = scratch / f"export-{size}.csv"
                write_export(path, size, first_code)
                results.append(_import_once(client, stream, processes, path, size, users_url))
                first_code += size
        finally:
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                process.wait(timeout=30)
    return results


def _import_once(client, stream, processes, path: Path, size: int, users_url: str) -> dict:
    events_before = stream.xlen(EVENT_STREAM)
    memory = MemoryWatch(processes)
    memory.start()
    started = time.perf_counter()
    status, job = client.upload("/api/v1/imports", {"kind": "users", "as_student": True}, path.name, path.read_bytes())
    assert status == 202, job
    while (job := client.call("GET", f"/api/v1/imports/{job['id']}"))["status"] == "analyzing":
        time.sleep(0.05)
    preview_seconds = time.perf_counter() - started
    assert job["status"] == "ready" and job["counts"]["create"] == size, job
    polling = PollLatency(client, job["id"])
    polling.start()
    client.call("POST", f"/api/v1/imports/{job['id']}/start")
    while (job := client.call("GET", f"/api/v1/imports/{job['id']}"))["status"] in ("queued", "running"):
        time.sleep(0.05)
    while stream.xlen(EVENT_STREAM) < events_before + size:
        time.sleep(0.05)
    total_seconds = time.perf_counter() - started
    polling.stopping.set()
    memory.stopping.set()
    polling.join()
    memory.join()
    assert job["status"] == "completed" and job["counts"]["create"] == size, job
    baseline = plain_bulk_insert_seconds(users_url, path)
    latencies = sorted(polling.samples)
    return {
        "rows": size,
        "end-to-end s": total_seconds,
        "rows/s": size / total_seconds,
        "preview ready s": preview_seconds,
        "plain bulk INSERT s": baseline,
        "ratio (import / INSERT)": total_seconds / baseline,
        "poll p50 ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "poll p99 ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan"),
        "peak MB": {name: round(peak / 1e6) for name, peak in sorted(memory.peaks.items())},
    }
