"""Tables of the users database (SQLAlchemy 2.x); the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.applied_chunks import AppliedChunkTable
from shared.outbox import OutboxTable


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str | None] = mapped_column(Text)
    prefix: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    is_student: Mapped[bool] = mapped_column(Boolean, default=False)
    is_employee: Mapped[bool] = mapped_column(Boolean, default=False)
    is_family_member: Mapped[bool] = mapped_column(Boolean, default=False)
    login_method: Mapped[str] = mapped_column(String(16), default="password")
    password_hash: Mapped[str | None] = mapped_column(Text)
    school_functions: Mapped[list[str]] = mapped_column(JSON)  # codes, sorted; the service checks each one
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SchoolFunctionRow(Base):
    __tablename__ = "school_functions"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    rights: Mapped[list] = mapped_column(JSON)


class OutboxRow(OutboxTable, Base):
    """An event written in the transaction of its change; kept, marked with when it was published and
    its stream entry id: the log `portal:events` can be rebuilt from."""


class AppliedChunkRow(AppliedChunkTable, Base):
    """An import chunk applied in the same transaction as its rows: a redelivered chunk finds it
    here and answers the stored results instead of applying the rows again."""


class AuditRow(Base):
    """An entry of the audit trail: the users service's own, and those collected from the other
    services' `audit.recorded` events (the id makes a redelivered one a no-op)."""

    __tablename__ = "audit_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, microseconds: sorts as the time does
    actor: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text)  # JSON
    client: Mapped[str | None] = mapped_column(String(64))


class SessionRow(Base):
    """A login: refreshed with a single-use refresh token until it ends or goes unused for 12 hours.

    `revocation_pending` makes this table the outbox of ended sessions: set in the transaction that
    ends the session, cleared once the session's id is on the Redis stream every service reads."""

    __tablename__ = "sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_code: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(32))
    revocation_pending: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class RefreshTokenRow(Base):
    """A refresh token, by its SHA-256 only; `used_at` set once it was exchanged (a second use is theft)."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
