"""Sessions and their refresh tokens in the users database, and the publisher of ended sessions.

A refresh token is 32 random bytes (`secrets.token_urlsafe`), so its SHA-256 is all that needs
storing: nobody can find a token from it, and no slow hash is needed for a value that cannot be
guessed. Ending a session marks it `revocation_pending` in the same transaction; after the commit
(and in the relay, after a crash or a Redis outage) `RevocationPublisher` puts the ids on the stream
every service reads (`shared/revocation.py`) and clears the mark.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.users.domain import REFRESH_IDLE_SECONDS, StoredSession
from services.users.orm import RefreshTokenRow, SessionRow, UserRow
from shared.db import one_of
from shared.revocation import publish_revoked

log = logging.getLogger(__name__)

BATCH_SIZE = 5000


def new_refresh_token() -> tuple[str, str]:
    """A new refresh token and the hash that is stored instead of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlAlchemySessions:
    def __init__(self, session: Session):
        self.session = session
        self.ended_any = False  # this transaction ended sessions: publish them right after its commit

    def start(self, user_code: str, now: datetime) -> tuple[str, str]:
        """A new session of `user_code`: its id and its first refresh token."""
        session_id = secrets.token_urlsafe(16)
        self.session.execute(insert(SessionRow).values(
            session_id=session_id, user_code=user_code, created_at=now, refreshed_at=now,
            expires_at=now + timedelta(seconds=REFRESH_IDLE_SECONDS), revocation_pending=False))
        return session_id, self._new_token(session_id, now)

    def find(self, refresh_token: str) -> StoredSession | None:
        """The session of a refresh token, its row and the token's locked for this transaction."""
        token_row = self.session.scalars(select(RefreshTokenRow).where(
            RefreshTokenRow.token_hash == hash_refresh_token(refresh_token)).with_for_update()).one_or_none()
        if token_row is None:
            return None
        row = self.session.scalars(select(SessionRow).where(
            SessionRow.session_id == token_row.session_id).with_for_update()).one()
        return StoredSession(row.session_id, row.user_code, ended=row.ended_at is not None,
                             expires_at=_aware(row.expires_at), token_used=token_row.used_at is not None)

    def rotate(self, refresh_token: str, now: datetime) -> str:
        """Spend the token (found by `find` in this transaction), give its session a new one and
        12 more hours; returns the new token."""
        token_row = self.session.get_one(RefreshTokenRow, hash_refresh_token(refresh_token))
        token_row.used_at = now
        row = self.session.get_one(SessionRow, token_row.session_id)
        row.refreshed_at = now
        row.expires_at = now + timedelta(seconds=REFRESH_IDLE_SECONDS)
        return self._new_token(row.session_id, now)

    def end(self, session_ids: Iterable[str], reason: str, now: datetime) -> None:
        ids = list(session_ids)
        if ids:
            self.ended_any = True
            self.session.execute(
                update(SessionRow)
                .where(one_of(SessionRow.session_id, ids, self.session.connection()), SessionRow.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason, revocation_pending=True)
                .execution_options(synchronize_session=False))

    def end_for_users(self, codes: Iterable[str], reason: str, now: datetime) -> None:
        """End every session of these users that has not ended yet."""
        codes = sorted(set(codes))
        if codes:
            self.ended_any = True
            self.session.execute(
                update(SessionRow)
                .where(one_of(SessionRow.user_code, codes, self.session.connection()), SessionRow.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason, revocation_pending=True)
                .execution_options(synchronize_session=False))

    def live_holders_of(self, function_code: str, now: datetime) -> set[str]:
        """Codes of the users holding `function_code` who have a session that has not ended."""
        rows = self.session.execute(
            select(UserRow.code, UserRow.school_functions).join(SessionRow, SessionRow.user_code == UserRow.code)
            .where(SessionRow.ended_at.is_(None), SessionRow.expires_at > now)).all()
        return {code for code, functions in rows if function_code in (functions or ())}

    def _new_token(self, session_id: str, now: datetime) -> str:
        token, token_hash = new_refresh_token()
        self.session.execute(insert(RefreshTokenRow).values(
            token_hash=token_hash, session_id=session_id, created_at=now))
        return token


class RevocationPublisher:
    """Puts the ids of ended sessions on the revocation stream, then clears their mark."""

    def __init__(self, session_factory: Callable[[], Session], client: redis.Redis):
        self.session_factory = session_factory
        self.client = client
        # This process's own copy (the users API's), told at once rather than through Redis.
        self.on_published: Callable[[list[str]], None] = lambda ids: None

    def publish_pending(self) -> int:
        total = 0
        while sent := self._publish_batch():
            total += sent
            if sent < BATCH_SIZE:
                break
        return total

    def try_publish_pending(self) -> None:
        """After a commit: publish now if Redis answers, else the relay will (the services refuse
        every token meanwhile, since their copies go stale without Redis)."""
        try:
            self.publish_pending()
        except redis.RedisError as error:
            log.warning("ended sessions stay pending until the relay can publish them: %s", error)

    def _publish_batch(self) -> int:
        with self.session_factory() as session, session.begin():
            ids = list(session.scalars(
                select(SessionRow.session_id).where(SessionRow.revocation_pending.is_(True))
                .limit(BATCH_SIZE).with_for_update()))
            if not ids:
                return 0
            publish_revoked(self.client, ids)
            self.on_published(ids)
            session.execute(update(SessionRow).where(one_of(SessionRow.session_id, ids, session.connection()))
                            .values(revocation_pending=False).execution_options(synchronize_session=False))
        return len(ids)


def _aware(moment: datetime) -> datetime:
    # SQLite gives back a naive datetime for a timezone-aware column; every time here is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
