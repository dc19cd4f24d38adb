"""Engines for SQLite (embedded) and PostgreSQL (production), and Alembic migrations per service.

Alembic is imported inside the functions that migrate or check a migration: the workers, the relay
and the consumer never call them, and Alembic held ~7 MB of each one's memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, String, Text, any_, bindparam, create_engine, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from shared.config import MIGRATION_LIMITS, SessionLimits
from shared.jsontext import from_json, to_json

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_SECONDS = 30
READ_ONLY = "portal_read_only"
JSON_CODEC = {"json_serializer": to_json, "json_deserializer": from_json}  # JSON columns hold whole chunks


def make_engine(url: str, limits: SessionLimits | None = None) -> Engine:
    """An engine whose PostgreSQL sessions wait and idle within `limits` (by default SessionLimits'
    defaults; SQLite has its busy timeout instead)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **JSON_CODEC)
        _limit_postgresql_sessions(engine, limits or SessionLimits())
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **JSON_CODEC)
    _serialize_sqlite_writers(engine)
    return engine


def _limit_postgresql_sessions(engine: Engine, limits: SessionLimits) -> None:
    """Every session of the pool gets the limits when it connects, and the server's end of a session
    idle in a transaction too long reaches the code as the OperationalError a lost connection is."""

    settings = {"lock_timeout": limits.lock_timeout_seconds, "statement_timeout": limits.statement_timeout_seconds,
                "idle_in_transaction_session_timeout": limits.idle_in_transaction_seconds}

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True  # a SET outlives no rollback
        for name, seconds in settings.items():
            dbapi_connection.execute(f"SET {name} = {round(seconds * 1000)}")  # milliseconds; 0 is no limit
        dbapi_connection.autocommit = autocommit

    @event.listens_for(engine, "handle_error", retval=True)
    def idle_session_ended(context):
        # psycopg raises 25P03 as an InternalError, a class the code rightly does not try again.
        if getattr(context.original_exception, "sqlstate", None) == IDLE_SESSION_ENDED:
            context.is_disconnect = True
            return OperationalError(context.statement, context.parameters, context.original_exception,
                                    connection_invalidated=True)
        return None


IDLE_SESSION_ENDED = "25P03"  # idle_in_transaction_session_timeout


def _serialize_sqlite_writers(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so two writers queue instead of failing.

    pysqlite opens transactions lazily and in deferred mode, where a reader that later writes
    fails at once with "database is locked" when another process wrote in between.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # Readers stay deferred: in WAL mode they never wait for a writer, however long it writes.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read."""
    return engine.execution_options(**{READ_ONLY: True})


def alembic_config(migrations_dir: Path, url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_alembic_env(target_metadata) -> None:
    """The body of every service's migrations/env.py: migrate online with our engine settings."""
    from alembic import context

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "", MIGRATION_LIMITS)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def upgrade_to_head(migrations_dir: Path, url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(migrations_dir, url), "head")


def is_at_head(engine: Engine, migrations_dir: Path) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(migrations_dir, str(engine.url)))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())


def copy_rows(connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Bulk-load rows into a PostgreSQL table with COPY, inside the connection's transaction: an order
    of magnitude cheaper than a multi-row INSERT, whose thousands of parameters must all be parsed."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]  # psycopg's, on PostgreSQL
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in _times_as_text(rows):
            copy.write_row(row)
    cursor.close()


def _times_as_text(rows: list[tuple]) -> Iterator[Sequence]:
    """The rows with their times (in the columns where the first row has one) as ISO text, each
    distinct time written once: psycopg's dumper of a datetime costs some 2.5 µs a value, more than
    the rest of a row, while an import chunk's rows share one or two times. PostgreSQL reads the
    text as it reads the dumped value."""
    positions = [index for index, value in enumerate(rows[0]) if isinstance(value, datetime)] if rows else []
    if not positions:
        yield from rows
        return
    texts: dict[datetime, str] = {}
    for row in rows:
        values = list(row)
        for index in positions:
            value = values[index]
            if isinstance(value, datetime):
                values[index] = texts.get(value) or texts.setdefault(value, value.isoformat())
        yield values


def is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def migration_readiness(engine: Engine, migrations_dir: Path, name: str) -> list[str]:
    """Why the database is not ready yet (unreachable, not migrated); empty when it is."""
    try:
        if not is_at_head(engine, migrations_dir):
            return [f"{name} database not migrated"]
    except Exception as error:  # an unreachable database is "not ready", never a crash
        return [f"{name} database unavailable: {type(error).__name__}"]
    return []


def one_of(column, values: list, connection: Connection):
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter however many values,
    since psycopg parses a statement with thousands of placeholders slower than PostgreSQL runs it."""
    if is_postgresql(connection):
        element = column.type if not isinstance(column.type, String) else Text()
        return column == any_(bindparam(None, list(values), type_=ARRAY(element)))
    return column.in_(values)


def id_array(ids: list[int]) -> str:
    """Row ids as the text of a PostgreSQL array, `{1,2,3}`, to bind as one text and cast in the
    statement: psycopg dumps a Python list element by element in Python (2.7 ms for 2,000), more than
    the statement itself costs. (Not in `one_of`: a chunk's lookup of users bound that way ran 80 times
    slower in a benchmark, its plan scanning the table for every code.)"""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def copy_insert(connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple],
                conflict: tuple[str, ...], on_conflict: str = "DO NOTHING",
                returning: tuple[str, ...] = ()) -> list[tuple]:
    """PostgreSQL: bulk-insert rows by COPY into a temporary twin of the table and one INSERT ...
    SELECT ... ON CONFLICT (`conflict`) `on_conflict`; returns `returning` of the rows written (with
    DO NOTHING, a row another transaction inserted first is left out)."""
    names = ", ".join(columns)
    scratch = f"incoming_{table}"
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ON COMMIT DELETE ROWS AS SELECT {names} FROM {table} WITH NO DATA")
    copy_rows(connection, scratch, columns, rows)
    returned = f" RETURNING {', '.join(returning)}" if returning else ""
    result = connection.exec_driver_sql(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {scratch} "
        f"ON CONFLICT ({', '.join(conflict)}) {on_conflict}{returned}")
    written = [tuple(row) for row in result.all()] if returning else []
    connection.exec_driver_sql(f"DELETE FROM {scratch}")
    return written
