"""End-to-end user imports as students (upload with start=true → completed, with every user
committed and every event on the stream) and the time to a ready preview (a separate upload), against PostgreSQL
and Redis with the real gateway,
a users worker with two processes, the importer worker and the relay.

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
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import redis

from portal.client import ApiError, PortalClient
from portal.embedded import free_port
from shared.config import EVENT_STREAM
from tests.dutch_files import DEPARTMENTS, HEADER, student_rows
from tests.processes import python_module, wait_healthy
from tests.services import fresh_postgres_database, private_redis

ADMIN_PASSWORD = "bench-admin-password"
STOP_PATIENCE = 30.0  # s for the processes to stop after SIGTERM before they are killed
ENROLLMENT_SIZE = 100_000  # the users import of this size is followed by an enrollment import of the same file


def celery(service: str, *extra: str) -> list[str]:
    return [str(Path(sys.executable).parent / "celery"), "-A", f"services.{service}.worker", "worker", "-Q",
            service, "-n", f"{service}@%h", "--without-gossip", "--without-mingle", "-l", "warning", *extra]


class BackendCpu:
    """CPU seconds of the PostgreSQL server processes that serve the benchmark's databases (the
    server is shared, so the whole machine's figure says little of them) and of the private Redis:
    every backend seen is sampled each round; one that ends keeps its last sample."""

    def __init__(self, server_url: str, databases: dict[str, str], redis_pids: list[int]):
        """`databases`: the name of each database by what it serves ("users": "portal_test_1a2b")."""
        self.connection = psycopg.connect(server_url, autocommit=True)
        self.service_of = {database: service for service, database in databases.items()}
        self.redis_pids = redis_pids
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.served: dict[int, str] = {}
        self.redis_first = self._redis_seconds()
        self.redis_last = self.redis_first
        self.sample(first=True)

    def sample(self, first: bool = False) -> None:
        backends = self.connection.execute(
            "SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
            (list(self.service_of),)).fetchall()
        for pid, database in backends:
            try:
                seconds = sum(psutil.Process(pid).cpu_times()[:2])
            except psutil.Error:
                continue
            self.first.setdefault(pid, seconds if first else 0.0)
            self.last[pid] = seconds
            self.served[pid] = self.service_of[database]
        self.redis_last = self._redis_seconds()

    def used(self) -> dict[str, float]:
        """PostgreSQL in all, then for each service's database when there are several."""
        services = sorted(set(self.service_of.values()))
        each = {f"PostgreSQL {service}": round(self.postgresql_seconds(service), 1) for service in services}
        return {"PostgreSQL": round(self.postgresql_seconds(), 1), **(each if len(services) > 1 else {}),
                "Redis": round(self.redis_last - self.redis_first, 1)}

    def postgresql_seconds(self, service: str | None = None) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last
                   if service is None or self.served[pid] == service)

    def close(self) -> None:
        self.connection.close()

    def _redis_seconds(self) -> float:
        total = 0.0
        for pid in self.redis_pids:
            try:
                total += sum(psutil.Process(pid).cpu_times()[:2])
            except psutil.Error:
                continue
        return total


class MemoryWatch(threading.Thread):
    """Samples the resident memory of every process of the system (and their children)."""

    def __init__(self, processes: dict[str, subprocess.Popen], backends: BackendCpu | None = None):
        super().__init__(daemon=True)
        self.processes, self.peaks, self.stopping = processes, {}, threading.Event()
        self.backends = backends
        self.cpu_start, self.cpu_end = self._cpu_seconds(), {}

    def run(self):
        # Every quarter second: sampling every process (and each PostgreSQL backend) is work of its
        # own, which on 2 cores the system under test would feel.
        while not self.stopping.wait(0.25):
            if self.backends is not None:
                self.backends.sample()
            for name, process in self.processes.items():
                try:
                    root = psutil.Process(process.pid)
                    for index, member in enumerate([root, *root.children(recursive=True)]):
                        label = name if index == 0 else f"{name} (child {index})"
                        self.peaks[label] = max(self.peaks.get(label, 0), member.memory_info().rss)
                except psutil.Error:
                    continue
        if self.backends is not None:
            self.backends.sample()
        self.cpu_end = self._cpu_seconds()

    def finish(self) -> None:
        """Stops sampling; the figures stay."""
        self.stopping.set()
        self.join()
        if self.backends is not None:
            self.backends.close()

    def cpu_used(self) -> dict[str, float]:
        """CPU seconds each of our processes (with its children) and the whole machine spent."""
        used = {name: round(self.cpu_end.get(name, 0) - self.cpu_start.get(name, 0), 1) for name in self.cpu_start}
        return {**used, **(self.backends.used() if self.backends is not None else {})}

    def _cpu_seconds(self) -> dict[str, float]:
        seconds = {}
        for name, process in self.processes.items():
            try:
                root = psutil.Process(process.pid)
                seconds[name] = sum(sum(member.cpu_times()[:2]) for member in [root, *root.children(recursive=True)])
            except psutil.Error:
                continue
        machine = psutil.cpu_times()
        seconds["whole machine"] = machine.user + machine.system
        return seconds


def write_export(path: Path, count: int, first_code: int) -> None:
    with open(path, "w", encoding="cp1252", newline="") as handle:
        handle.write(";".join(HEADER) + "\r\n")
        for row in student_rows(count, first_code):
            handle.write(";".join(row) + "\r\n")


def plain_bulk_insert_seconds(database_url: str, path: Path, columns=(0, 1, 2, 3, 4)) -> float:
    """A plain executemany INSERT of the file's rows (the chosen columns) into a bare table."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with open(path, encoding="cp1252") as handle:
        next(handle)
        rows = [[fields[index] for index in columns] for fields in (line.rstrip("\r\n").split(";") for line in handle)]
    names = ", ".join(f"c{index} text" for index in range(len(columns)))
    with psycopg.connect(url) as connection:
        connection.execute(f"CREATE TABLE baseline ({names})")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO baseline VALUES ({', '.join(['%s'] * len(columns))})", rows)
        connection.commit()
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE baseline")
        connection.commit()
    return seconds


def run(sizes=(10_000, 100_000, 1_000_000), enrollments: bool = True, flow_file: Path | None = None,
        flow_size: int = 0) -> Iterator[dict]:
    """The users imports of every size (and the enrollments import after the one of ENROLLMENT_SIZE);
    with `flow_file`, last, the administrator's flow on that file of `flow_size` new students. Each
    size's figures are handed out as soon as they are measured, while the processes still run, so
    they are shown even when a later size, or stopping the processes, goes wrong."""
    with fresh_postgres_database() as users_url, fresh_postgres_database() as importer_url, \
            fresh_postgres_database() as enrollments_url, private_redis() as redis_url, \
            tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch:
        scratch = Path(scratch)
        port = free_port()
        env = {**os.environ, "USERS_DATABASE_URL": users_url, "IMPORTER_DATABASE_URL": importer_url,
               "ENROLLMENTS_DATABASE_URL": enrollments_url,
               "REDIS_URL": redis_url, "PORTAL_PORT": str(port), "PORTAL_DATA_DIR": str(scratch),
               "PORTAL_SECRET_KEY": "benchmark-secret-key-0123456789abcdef", "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
               "PORTAL_MAX_UPLOAD_MB": "200",
               # Trimmed down to what the consumer groups have not acknowledged: Redis's memory per
               # student shows what stays without the retention window (24 h by default).
               "PORTAL_EVENT_RETENTION_HOURS": "0"}
        portal = str(Path(sys.executable).parent / "portal")
        for command in ("migrate", "create-admin"):
            subprocess.run([portal, command], env=env, check=True, capture_output=True)
        programs = {
            "gateway": python_module("portal.gateway"),
            "users worker": celery("users", "--pool", "prefork", "--concurrency", "2"),
            "importer worker": celery("importer", "--pool", "solo"),
            "enrollments worker": celery("enrollments", "--pool", "prefork", "--concurrency", "2"),
            "relay": python_module("services.users.relay"),
            "enrollments consumer": python_module("services.enrollments.consumer"),
        }
        processes = {name: subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                            stderr=open(scratch / f"{name}.log", "w"))
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
                watch = _backend_watch(users=users_url, importer=importer_url, enrollments=enrollments_url)
                yield _import_once(client, stream, processes, path, size, users_url, watch)
                if enrollments and size == ENROLLMENT_SIZE:
                    yield _enrollment_import_once(client, processes, path, size, enrollments_url, watch)
                first_code += size
            if flow_file is not None:
                yield _admin_flow_once(client, stream, flow_file, flow_size, users_url)
        finally:
            stop(processes)


def stop(processes: dict[str, subprocess.Popen], patience: float = STOP_PATIENCE) -> None:
    """Ends every process, politely first. On a loaded machine a worker may take longer than `patience`
    seconds to finish: it is then killed and named on stderr, and the run goes on (the figures were
    measured before), rather than failing on the stop."""
    for process in processes.values():
        process.terminate()
    deadline = time.monotonic() + patience
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"({name} did not stop within {patience:.0f} s: killed)", file=sys.stderr)
            process.kill()
            try:
                process.wait(timeout=patience)
            except subprocess.TimeoutExpired:
                print(f"({name} (pid {process.pid}) did not end after SIGKILL either)", file=sys.stderr)


def _backend_watch(**database_urls: str):
    """What measures the CPU of the benchmark's PostgreSQL backends (by the service whose database
    each one serves) and of its Redis server."""
    databases = {service: url.rsplit("/", 1)[1] for service, url in database_urls.items()}
    server = next(iter(database_urls.values())).rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    redis_pids = [child.pid for child in psutil.Process().children() if child.name().startswith("redis-server")]
    return lambda: BackendCpu(server + "/postgres", databases, redis_pids)


def _import_once(client, stream, processes, path: Path, size: int, users_url: str, watch=None) -> dict:
    events_before = _events_published(users_url, stream)

    def events_published():
        while _events_published(users_url, stream) < events_before + size:
            time.sleep(0.05)

    figures = _timed_import(client, processes, path, size, {"kind": "users", "as_student": True}, events_published,
                            watch)
    return {**figures, **_baseline(figures, plain_bulk_insert_seconds(users_url, path)),
            **_redis_memory(stream, _events_published(users_url, stream))}


def _admin_flow_once(client, stream, path: Path, size: int, users_url: str) -> dict:
    """What an administrator does, each step timed: upload → the preview is ready; then start that
    same job → completed, with every student committed and every event on the stream."""
    events_before = _events_published(users_url, stream)
    started = time.perf_counter()
    job = _wait(client, _upload(client, path, {"kind": "users", "as_student": True}), ("analyzing",))
    preview_seconds = time.perf_counter() - started
    assert job["status"] == "ready" and job["counts"]["create"] == size, job

    started = time.perf_counter()
    job = _wait(client, client.call("POST", f"/api/v1/imports/{job['id']}/start"), ("analyzing", "queued", "running"))
    while _events_published(users_url, stream) < events_before + size:
        time.sleep(0.05)
    apply_seconds = time.perf_counter() - started
    assert job["status"] == "completed" and job["counts"]["create"] == size, job
    return {"kind": "users flow", "rows": size, "preview s": preview_seconds, "apply s": apply_seconds,
            "flow s": preview_seconds + apply_seconds}


def _events_published(users_url: str, stream: redis.Redis) -> int:
    """Events of the users log that are on the stream (its length shrinks when the relay trims it).
    Before the log (an outbox that deleted what it published: commit 516ea24 and older), the
    stream's length."""
    with psycopg.connect(users_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        if not connection.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'outbox_events' "
                                  "AND column_name = 'published_at'").fetchone():
            return stream.xlen(EVENT_STREAM)
        return connection.execute("SELECT count(*) FROM outbox_events WHERE published_at IS NOT NULL").fetchone()[0]


def _redis_memory(stream: redis.Redis, students: int) -> dict:
    """Redis's memory after an import, in total and per student published so far: flat when the
    stream is trimmed and no processed-id set grows."""
    used = int(stream.info("memory")["used_memory"])
    return {"Redis MB": round(used / 1e6, 1), "Redis bytes/student": round(used / max(1, students), 1),
            "stream entries kept": stream.xlen(EVENT_STREAM)}


def _enrollment_import_once(client, processes, path: Path, size: int, enrollments_url: str, watch=None) -> dict:
    client.call("POST", "/api/v1/schedule-projects", {"code": "bench", "name": "bench", "school_year": "2026-2027"})
    for department in DEPARTMENTS:
        client.call("POST", "/api/v1/schedule-projects/bench/departments",
                    {"code": department, "name": department, "year_of_education": int(department[1:])})
    figures = _timed_import(client, processes, path, size, {"kind": "enrollments", "schedule_project": "bench"},
                            watch=watch)
    baseline = plain_bulk_insert_seconds(enrollments_url, path, columns=(0, 5))
    return {"kind": "enrollments", **figures, **_baseline(figures, baseline)}


def _timed_import(client, processes, path: Path, size: int, options: dict, also_wait=lambda: None,
                  watch=None) -> dict:
    """The preview (an upload → ready, then cancelled) and, separately, the import itself timed end
    to end: upload with start=true → completed (and `also_wait`)."""
    # One watch per step: the CPU seconds of the import alone are the ones its wall time is made of.
    preview_watch = MemoryWatch(processes, watch() if watch is not None else None)
    preview_watch.start()
    started = time.perf_counter()
    preview = _wait(client, _upload(client, path, options), ("analyzing",))
    preview_seconds = time.perf_counter() - started
    assert preview["status"] == "ready" and preview["counts"]["create"] == size, preview
    client.call("POST", f"/api/v1/imports/{preview['id']}/cancel")
    preview_watch.finish()

    memory = MemoryWatch(processes, watch() if watch is not None else None)
    memory.start()
    started = time.perf_counter()
    job = _upload(client, path, {**options, "start": True})
    latencies: list[float] = []
    job = _wait(client, job, ("analyzing", "queued", "running"), latencies)
    also_wait()
    total_seconds = time.perf_counter() - started
    memory.finish()
    assert job["status"] == "completed" and job["counts"]["create"] == size, job
    peaks = {name: max(preview_watch.peaks.get(name, 0), memory.peaks.get(name, 0))
             for name in {*preview_watch.peaks, *memory.peaks}}
    latencies.sort()
    return {
        "rows": size,
        "end-to-end s": total_seconds,
        "rows/s": size / total_seconds,
        "preview ready s": preview_seconds,
        "poll p50 ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "poll p99 ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan"),
        "peak MB": {name: round(peak / 1e6) for name, peak in sorted(peaks.items())},
        "CPU s, preview": preview_watch.cpu_used(),
        "CPU s, import": memory.cpu_used(),
    }


def _upload(client, path: Path, options: dict) -> dict:
    status, job = client.upload("/api/v1/imports", options, path.name, path.read_bytes())
    assert status == 202, job
    return job


def _wait(client, job: dict, while_in: tuple[str, ...], latencies: list[float] | None = None) -> dict:
    """Polls the job every 50 ms while its status is one of `while_in`; each answered poll's time
    goes into `latencies` (one poller: a second one measuring alone would load the gateway twice)."""
    while job["status"] in while_in:
        time.sleep(0.05)
        started = time.perf_counter()
        now = _job_now(client, job["id"])
        if now is not None:
            job = now
            if latencies is not None:
                latencies.append(time.perf_counter() - started)
    return job


def _job_now(client, job_id: str) -> dict | None:
    """The job, or None when the gateway could not answer this once: on a machine loaded by other
    work its session check may time out (503) or a connection be reset; the import goes on."""
    try:
        return client.call("GET", f"/api/v1/imports/{job_id}")
    except ApiError as error:
        if error.status != 503:
            raise
    except ConnectionError:
        pass
    return None


def _baseline(figures: dict, baseline_seconds: float) -> dict:
    return {"plain bulk INSERT s": baseline_seconds,
            "ratio (import / INSERT)": figures["end-to-end s"] / baseline_seconds}
