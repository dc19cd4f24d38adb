"""The floor under every import: the same rows written straight into a table like the portal's
`users` (same columns, same unique code), by one executemany INSERT and by one COPY, in a fresh
database of the same PostgreSQL. Only the database work is timed (the rows are read beforehand)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from tests.services import fresh_postgres_database

TABLE = """CREATE TABLE users (
    id serial PRIMARY KEY, code varchar(32) NOT NULL UNIQUE, first_name text, prefix text, last_name text,
    email text, is_student boolean NOT NULL, is_employee boolean NOT NULL, is_family_member boolean NOT NULL,
    login_method varchar(16) NOT NULL, password_hash text, school_functions jsonb NOT NULL,
    archived boolean NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)"""
COLUMNS = ("code, first_name, prefix, last_name, email, is_student, is_employee, is_family_member, login_method, "
           "password_hash, school_functions, archived, created_at, updated_at")


def run(path: Path, size: int) -> dict[str, float]:
    """Seconds of one executemany INSERT and of one COPY of the file's rows, each committed."""
    rows = _rows(path)
    assert len(rows) == size, len(rows)
    with fresh_postgres_database() as url, \
            psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(TABLE)
        connection.commit()
        placeholders = ", ".join(["%s"] * len(rows[0]))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO users ({COLUMNS}) VALUES ({placeholders})", rows)
        connection.commit()
        executemany_seconds = time.perf_counter() - started
        _check_and_empty(connection, size)

        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(f"COPY users ({COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
        copy_seconds = time.perf_counter() - started
        _check_and_empty(connection, size)
    return {"executemany s": executemany_seconds, "COPY s": copy_seconds}


def _rows(path: Path) -> list[tuple]:
    now = datetime.now(UTC)
    no_functions = json.dumps([])
    with open(path, encoding="cp1252", newline="") as handle:
        next(handle)
        return [(code, first, prefix or None, last, email, True, False, False, "password", None, no_functions,
                 False, now, now)
                for code, first, prefix, last, email, *_ in (line.rstrip("\r\n").split(";") for line in handle)]


def _check_and_empty(connection: psycopg.Connection, size: int) -> None:
    count = connection.execute("SELECT count(*) FROM users").fetchone()
    assert count is not None and count[0] == size, count
    connection.execute("TRUNCATE users")
    connection.commit()
