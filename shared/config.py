"""Settings read from the environment; the embedded mode and docker-compose differ only in values."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.client_address import Network, parse_trusted_proxies
from shared.private_files import make_private_dir, read_or_create_secret

DEFAULT_PORT = 8000
DEFAULT_DATA_DIR = "./var"
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_ADMIN_CODE = "admin"
EVENT_STREAM = "portal:events"


MIN_SECRET_KEY_BYTES = 32


def check_secret_key(secret: str, generated: bool = False) -> None:
    """Refuse a key an attacker could guess by brute force (the generated one is long): it signs the
    tokens and links, and seals import files and password cells, in the APIs and the workers alike."""
    if not generated and len(secret.encode()) < MIN_SECRET_KEY_BYTES:
        raise ValueError(f"PORTAL_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes long "
                         "(for example `openssl rand -hex 32`)")


@dataclass(frozen=True)
class SessionLimits:
    """How long a PostgreSQL session may wait or idle before the server gives up on it (0: no limit).

    Nothing may wait without bound: a worker frozen inside a transaction (a stopped process, a
    partitioned host) otherwise holds its row locks for ever, and every transaction that needs one
    of those rows waits behind it, each holding a worker or a request thread. The values leave
    wide room for the longest normal work:
    - lock_timeout: no transaction holds a row lock another needs for long, except a users
      import chunk hashing its passwords (about 2 minutes for 2,000); another delivery of that
      chunk, or an edit of one of its users, is refused after 10 s rather than queued behind it
      (a chunk is sent again later, a request answers 503).
    - statement_timeout: the slowest statement of a 1,000,000-row import (the COPY of a 2,000-row
      chunk, the sums over its 500 chunks, deleting a job's chunks) takes well under a second;
      2 minutes cancels only a runaway one or a COPY whose client stopped sending.
    - idle_in_transaction: the longest pause between two statements of a transaction is a users
      chunk hashing up to 2,000 passwords (Argon2id, about 55 ms each: 110 s); after 5 minutes the
      server ends the session and its locks are free again.
    Migrations run without a statement or lock timeout (`MIGRATION_LIMITS`): altering a big table
    may take long, and the locks it waits for are held by sessions that are bounded themselves.
    """

    lock_timeout_seconds: float = 10.0
    statement_timeout_seconds: float = 120.0
    idle_in_transaction_seconds: float = 300.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SessionLimits:
        return cls(
            lock_timeout_seconds=float(env.get("PORTAL_DB_LOCK_TIMEOUT_SECONDS") or cls.lock_timeout_seconds),
            statement_timeout_seconds=float(env.get("PORTAL_DB_STATEMENT_TIMEOUT_SECONDS")
                                            or cls.statement_timeout_seconds),
            idle_in_transaction_seconds=float(env.get("PORTAL_DB_IDLE_IN_TRANSACTION_SECONDS")
                                              or cls.idle_in_transaction_seconds),
        )


MIGRATION_LIMITS = SessionLimits(lock_timeout_seconds=0, statement_timeout_seconds=0)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    redis_url: str | None  # one Redis server or a Sentinel set: see shared/redis_client.py
    users_database_url: str
    enrollments_database_url: str
    importer_database_url: str
    port: int
    secret_key: str
    max_upload_mb: int
    admin_code: str
    admin_password: str | None
    chunk_timeout_seconds: float = 60.0
    sweep_seconds: float = 2.0
    import_retention_hours: float = 24.0  # an upload nobody starts is discarded, with its file, after this
    # A finished job's row results (its chunks) are deleted after this; the job and its counts stay.
    import_retention_days: float = 30.0
    # Where an analysis keeps its throwaway files; None: the system's temporary directory. Named, so
    # that a full disk fails the analysis: Python's own choice silently passes over a full TMPDIR.
    scratch_dir: Path | None = None
    database_limits: SessionLimits = SessionLimits()
    # Proxies whose X-Forwarded-For names the client (the gateway in docker-compose); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    audit_retention_days: int = 400
    # How long `portal:events` keeps an event every consumer group has acknowledged (0: not at all),
    # and how far back the relay refills a stream Redis lost.
    event_retention_hours: float = 24.0
    secret_key_generated: bool = False  # the embedded default (long and random), not PORTAL_SECRET_KEY

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = data_dir_of(env)
        return cls(
            data_dir=data_dir,
            redis_url=env.get("REDIS_URL") or None,
            users_database_url=_database_url(env, "USERS_DATABASE_URL", data_dir / "users.sqlite3"),
            enrollments_database_url=_database_url(
                env, "ENROLLMENTS_DATABASE_URL", data_dir / "enrollments.sqlite3"
            ),
            importer_database_url=_database_url(
                env, "IMPORTER_DATABASE_URL", data_dir / "importer.sqlite3"
            ),
            port=port_of(env),
            secret_key=env.get("PORTAL_SECRET_KEY") or _local_secret_key(data_dir),
            max_upload_mb=int(env.get("PORTAL_MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB),
            admin_code=env.get("PORTAL_ADMIN_CODE") or DEFAULT_ADMIN_CODE,
            admin_password=env.get("PORTAL_ADMIN_PASSWORD") or None,
            chunk_timeout_seconds=float(env.get("PORTAL_CHUNK_TIMEOUT_SECONDS") or 60),
            sweep_seconds=float(env.get("PORTAL_SWEEP_SECONDS") or 2),
            import_retention_hours=float(env.get("PORTAL_IMPORT_RETENTION_HOURS") or 24),
            import_retention_days=float(env.get("PORTAL_IMPORT_RETENTION_DAYS") or 30),
            scratch_dir=Path(env["PORTAL_SCRATCH_DIR"]) if env.get("PORTAL_SCRATCH_DIR") else None,
            database_limits=SessionLimits.from_env(env),
            trusted_proxies=parse_trusted_proxies(env.get("PORTAL_TRUSTED_PROXIES") or ""),
            audit_retention_days=int(env.get("PORTAL_AUDIT_RETENTION_DAYS") or 400),
            event_retention_hours=float(env.get("PORTAL_EVENT_RETENTION_HOURS") or 24),
            secret_key_generated=not env.get("PORTAL_SECRET_KEY"),
        )

    def require_redis_url(self) -> str:
        if not self.redis_url:
            raise RuntimeError(
                "REDIS_URL is not set: start the system with `portal run` (which starts an "
                "embedded Redis) or point REDIS_URL at a Redis server"
            )
        return self.redis_url


def data_dir_of(environ: Mapping[str, str]) -> Path:
    """PORTAL_DATA_DIR, or `./var` from where the command runs (where `make run` keeps it)."""
    return Path(environ.get("PORTAL_DATA_DIR") or DEFAULT_DATA_DIR).resolve()


def port_of(environ: Mapping[str, str]) -> int:
    return int(environ.get("PORTAL_PORT") or DEFAULT_PORT)


def _database_url(env: Mapping[str, str], name: str, default_file: Path) -> str:
    url = env.get(name) or f"sqlite:///{default_file}"
    # SQLAlchemy maps a bare postgresql:// URL to psycopg2; we ship psycopg 3.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _local_secret_key(data_dir: Path) -> str:
    """A secret kept beside the embedded data, so tokens survive a restart of `portal run`."""
    make_private_dir(data_dir)
    return read_or_create_secret(data_dir / "secret_key", lambda: secrets.token_urlsafe(48))
