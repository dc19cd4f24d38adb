"""What publishing a users import's events costs, alone: two writer processes (like the users
worker's two) each commit chunks of 2,000 `student.created` events through the users unit of work
and answer once they are published, while the relay runs; PostgreSQL and a private Redis.

Prints the wall time and the CPU seconds of the writers, the relay, the PostgreSQL backends of the
database and Redis. Runs on any commit of the portal (no feature newer than the plain outbox is
needed), so two commits compare one right after the other:

    .venv/bin/python -m benchmarks.outbox --events 100000
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import psycopg

from shared.clock import utcnow
from shared.events.envelope import STUDENT_CREATED, Envelope, utc_timestamp
from tests.processes import python_module
from tests.services import fresh_postgres_database, private_redis

CHUNK = 2000


def student(code: int) -> dict:
    moment = utc_timestamp(utcnow())
    return {"code": str(code), "first_name": "Anna-Sophie", "prefix": "van der", "last_name": f"Berg{code % 97}",
            "email": f"{code}@leerling.example.nl", "is_student": True, "is_employee": False,
            "is_family_member": False, "school_functions": ["leerling"], "login_method": "wachtwoord",
            "has_password": False, "archived": False, "created_at": moment, "updated_at": moment}


def writer(env: dict, first_code: int, chunks: int, ready, go, cpu) -> None:
    os.environ.update(env)
    from services.users.bootstrap import build_service
    from shared.config import Settings

    service = build_service(Settings.from_env())
    ready.release()
    go.wait()
    started = time.process_time()
    for chunk in range(chunks):
        code = first_code + chunk * CHUNK
        envelopes = [Envelope.new(STUDENT_CREATED, student(code + index)) for index in range(CHUNK)]
        uow = service.unit_of_work()
        with uow:
            uow.outbox.add_many(envelopes)
            uow.commit()
        if hasattr(uow, "confirm_published"):  # the event log: a chunk answers once its events are out
            uow.confirm_published()
    cpu.put(time.process_time() - started)


def backend_seconds(connection, database: str) -> dict[int, float]:
    seconds = {}
    for (pid,) in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                     (database,)).fetchall():
        try:
            seconds[pid] = sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:
            continue
    return seconds


def process_seconds(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(sum(member.cpu_times()[:2]) for member in [process, *process.children(recursive=True)])


def run(events: int, writers: int = 2) -> dict:
    chunks = events // CHUNK // writers
    with fresh_postgres_database() as url, private_redis() as redis_url, \
            tempfile.TemporaryDirectory(prefix="portal-bench-outbox-") as scratch:
        env = {"USERS_DATABASE_URL": url, "REDIS_URL": redis_url, "PORTAL_DATA_DIR": scratch,
               "PORTAL_SECRET_KEY": "benchmark-secret-key-0123456789abcdef", "PORTAL_EVENT_RETENTION_HOURS": "0"}
        subprocess.run([str(Path(sys.executable).parent / "portal"), "migrate"], env={**os.environ, **env},
                       check=True, capture_output=True)
        relay = subprocess.Popen(python_module("services.users.relay"), env={**os.environ, **env},
                                 stdout=subprocess.DEVNULL, stderr=open(Path(scratch) / "relay.log", "w"))
        redis_pid = next(child.pid for child in psutil.Process().children() if child.name().startswith("redis"))
        database = url.rsplit("/", 1)[1]
        server = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        context = multiprocessing.get_context("spawn")
        ready, go, cpu = context.Semaphore(0), context.Event(), context.Queue()
        processes = [context.Process(target=writer, args=(env, 1_000_000 + index * chunks * CHUNK, chunks, ready, go,
                                                          cpu)) for index in range(writers)]
        for process in processes:
            process.start()
        for _ in processes:
            ready.acquire()
        time.sleep(1.0)  # the relay's first rounds
        with psycopg.connect(server, autocommit=True) as connection:
            backends_first, backends_last = backend_seconds(connection, database), {}
            relay_first, redis_first = process_seconds(relay.pid), process_seconds(redis_pid)
            started = time.perf_counter()
            go.set()
            while any(process.is_alive() for process in processes):
                backends_last.update(backend_seconds(connection, database))
                time.sleep(0.05)
            wall = time.perf_counter() - started
            backends_last.update(backend_seconds(connection, database))
            relay_seconds = process_seconds(relay.pid) - relay_first
            redis_seconds = process_seconds(redis_pid) - redis_first
        relay.terminate()
        relay.wait(timeout=30)
        writer_seconds = [cpu.get() for _ in processes]
    events = chunks * CHUNK * writers
    postgresql_seconds = sum(backends_last[pid] - backends_first.get(pid, 0.0) for pid in backends_last)
    return {"events": events, "wall s": round(wall, 2), "events/s": round(events / wall),
            "writers CPU s": round(sum(writer_seconds), 2), "relay CPU s": round(relay_seconds, 2),
            "PostgreSQL CPU s": round(postgresql_seconds, 2), "Redis CPU s": round(redis_seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    arguments = parser.parse_args()
    for _ in range(arguments.repeat):
        print(run(arguments.events), flush=True)


if __name__ == "__main__":
    main()
