"""Where a users import chunk's time goes, in one process: the users service decides (dry run) and
applies (creates, writes the events, publishes them) chunks of new students, as its worker does,
on PostgreSQL and a private Redis, without Celery or the other processes around it.

Prints per row: this process's CPU, the CPU of the database's PostgreSQL backends, the wall time,
and the wall time of each kind of statement (most of which is PostgreSQL's own work), against a
plain executemany INSERT of the same rows in the same run:

    .venv/bin/python -m benchmarks.chunk_apply --rows 40000
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.imports import BackendCpu, plain_bulk_insert_seconds, write_export
from services.importer import analysis
from services.importer.domain import ImportSettings, kind_named
from services.users import bootstrap, handlers
from services.users.domain import RIGHTS
from shared.collection_pause import collection_paused
from shared.config import Settings
from shared.messages import Chunk, RowIn
from tests.services import fresh_postgres_database, private_redis

ADMIN_PASSWORD = "benchmark-admin-password"


def file_chunks(path: Path) -> list[list[RowIn]]:
    """The file's rows as the importer's analysis cuts them into chunks."""
    data = path.read_bytes()
    settings = ImportSettings()
    settings.as_student = True
    chunks: list[list[RowIn]] = []
    analysis.analyze(lambda: iter([data]), settings, kind_named("users"), lambda _no, rows: chunks.append(rows))
    return chunks


class StatementClock:
    """Wall time per kind of statement (its first words), COPY included."""

    def __init__(self):
        self.seconds: dict[str, list] = collections.defaultdict(lambda: [0, 0.0])
        self.on = False
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)
        self._copy = psycopg.Cursor.copy
        clock = self

        @contextlib.contextmanager
        def timed_copy(cursor, statement, *args, **kwargs):
            started = time.perf_counter()
            with clock._copy(cursor, statement, *args, **kwargs) as copy:
                yield copy
            clock.add(str(statement), time.perf_counter() - started)

        psycopg.Cursor.copy = timed_copy

    def add(self, statement: str, seconds: float) -> None:
        if self.on:
            entry = self.seconds[re.sub(r"\s+", " ", statement)[:60]]
            entry[0] += 1
            entry[1] += seconds

    def _before(self, connection, _cursor, _statement, _parameters, _context, _many):
        connection.info.setdefault("started", []).append(time.perf_counter())

    def _after(self, connection, _cursor, statement, _parameters, _context, _many):
        self.add(statement, time.perf_counter() - connection.info["started"].pop())

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._before)
        event.remove(Engine, "after_cursor_execute", self._after)
        psycopg.Cursor.copy = self._copy


def run(rows: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="portal-bench-chunks-") as scratch, \
            fresh_postgres_database() as url, private_redis() as redis_url:
        path = Path(scratch) / "export.csv"
        write_export(path, rows, 1_000_000)
        chunks = file_chunks(path)
        settings = Settings.from_env({"USERS_DATABASE_URL": url, "IMPORTER_DATABASE_URL": url,
                                      "ENROLLMENTS_DATABASE_URL": url, "REDIS_URL": redis_url,
                                      "PORTAL_SECRET_KEY": "benchmark-secret-key-0123456789abcdef"})
        bootstrap.migrate(settings)
        service = bootstrap.build_service(settings)
        handlers.ensure_application_manager(service.unit_of_work(), "admin", ADMIN_PASSWORD)
        actor = {"code": "admin", "rights": sorted(RIGHTS)}
        database = (url.replace("postgresql+psycopg://", "postgresql://"), {"users": url.rsplit("/", 1)[1]})
        clock = StatementClock()
        try:
            for dry_run in (True, False):
                messages = [Chunk("job", 1, number, dry_run, {"mode": "import", "as_student": True}, chunk,
                                  actor=actor).to_message() for number, chunk in enumerate(chunks)]
                clock.seconds.clear()
                clock.on = True
                backends = BackendCpu(*database, redis_pids=[])
                cpu, wall = time.process_time(), time.perf_counter()
                for message in messages:  # as the chunk task does: the message in, the answer out
                    with collection_paused():
                        handlers.apply_user_rows(service.unit_of_work(), Chunk.from_message(message)).to_message()
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                backends.sample()
                backends.close()
                clock.on = False
                per_row = 1e6 / rows
                yield (f"{'decide (dry run)' if dry_run else 'apply'}: {rows} rows in {len(messages)} chunks, "
                       f"per row: this process {cpu * per_row:.1f} µs CPU, PostgreSQL "
                       f"{backends.postgresql_seconds() * per_row:.1f} µs CPU, wall {wall * per_row:.1f} µs")
                if not dry_run:
                    apply_seconds = wall
                    for statement, (count, seconds) in sorted(clock.seconds.items(), key=lambda item: -item[1][1]):
                        if seconds * per_row >= 0.2:
                            yield f"  {seconds * per_row:6.1f} µs/row wall  {count:4d}×  {statement}"
        finally:
            clock.close()
        baseline = plain_bulk_insert_seconds(url, path)
        yield (f"plain executemany INSERT of the same rows: {baseline * 1e6 / rows:.1f} µs/row wall; "
               f"apply / INSERT: {apply_seconds / baseline:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Where a users import chunk's time goes, in one process.")
    parser.add_argument("--rows", type=int, default=40_000, help="new students, in chunks of 2,000")
    for line in run(parser.parse_args().rows):
        print(line, flush=True)


if __name__ == "__main__":
    main()
