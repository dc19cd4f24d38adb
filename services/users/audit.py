"""The audit trail in the users database, and its collector.

The users service writes its own entries here in the transaction of the change. The importer and the
enrollments service write theirs to their own outbox in their own transaction; their `audit.recorded`
events reach this table through the collector, a consumer group (`audit`) on `portal:events` that the
relay process follows (and `GET /api/v1/audit` catches up with before it answers). An entry's id is
its primary key and a collected entry is inserted with ON CONFLICT DO NOTHING, so a redelivered
event is never a second entry; an event is acknowledged only after its entry is committed, so none
is lost. The collector also deletes entries older than the retention.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

import redis
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.users.orm import AuditRow
from shared.audit import AUDIT_RECORDED, AuditEntry
from shared.clock import utcnow
from shared.events.envelope import Envelope, utc_timestamp
from shared.events.subscriber import Subscriber
from shared.jsontext import from_json, to_json

log = logging.getLogger(__name__)

GROUP = "audit"
CATCH_UP_SECONDS = 2.0
RETENTION_EVERY_SECONDS = 3600.0


class SqlAlchemyAuditTrail:
    def __init__(self, session: Session):
        self.session = session

    def add(self, entry: AuditEntry) -> None:
        self.add_many([entry])

    def add_many(self, entries: list[AuditEntry]) -> None:
        """Insert entries; one whose id is already stored (a redelivered event) is left as it is."""
        if not entries:
            return
        connection = self.session.connection()
        insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(insert(AuditRow.__table__).on_conflict_do_nothing(index_elements=["id"]), [
            {**entry.to_dict(), "details": to_json(entry.details)} for entry in entries])

    def list(self, actor: str | None = None, target: str | None = None, action: str | None = None,
             since: str | None = None, before: tuple[str, str] | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first (by time, then id), after the position `before` of the page before."""
        query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        for column, value in ((AuditRow.actor, actor), (AuditRow.target, target), (AuditRow.action, action)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if before is not None:
            at, entry_id = before
            query = query.where(or_(AuditRow.at < at, and_(AuditRow.at == at, AuditRow.id < entry_id)))
        return [_entry(row) for row in self.session.scalars(query)]

    def delete_older_than(self, cutoff: str) -> int:
        result = self.session.execute(delete(AuditRow).where(AuditRow.at < cutoff)
                                      .execution_options(synchronize_session=False))
        return result.rowcount or 0  # type: ignore[attr-defined]


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(id=row.id, at=row.at, actor=row.actor, action=row.action, target=row.target,
                      details=from_json(row.details), client=row.client)


class AuditCollector:
    """Follows `portal:events` as consumer group `audit` and stores the other services' entries."""

    def __init__(self, client: redis.Redis, uow_factory, retention_days: int, consumer: str | None = None):
        self.uow_factory = uow_factory
        self.retention_days = retention_days
        # Idempotent: the trail's primary key is the entry's id and a stored one is left as it is,
        # so an event handled again changes nothing and no processed ids are kept.
        self.subscriber = Subscriber(client, GROUP, consumer or f"{socket.gethostname()}-{os.getpid()}",
                                     batch_handler=self.store, idempotent=True, types=frozenset({AUDIT_RECORDED}))
        self._next_retention = 0.0

    def store(self, envelopes: list[Envelope]) -> None:
        entries = [AuditEntry.from_dict(envelope.data) for envelope in envelopes if envelope.type == AUDIT_RECORDED]
        if entries:
            with self.uow_factory() as uow:
                uow.audit.add_many(entries)
                uow.commit()

    def collect(self) -> int:
        """Store what is new on the stream (the relay calls this on every round)."""
        return self.subscriber.catch_up()

    def catch_up(self) -> bool:
        """Before the trail is read: everything on the stream now is stored. False (and the stored
        trail is served as it is) when the stream cannot be reached or it takes too long."""
        try:
            return self.subscriber.catch_up_to_end(timeout=CATCH_UP_SECONDS)
        except redis.RedisError as error:
            log.warning("audit entries of other services may be missing until the stream answers: %s", error)
            return False

    def apply_retention(self, now: float) -> int:
        """Delete entries older than the retention, at most once an hour (`now`: a monotonic clock)."""
        if now < self._next_retention:
            return 0
        self._next_retention = now + RETENTION_EVERY_SECONDS
        return delete_expired(self.uow_factory(), self.retention_days)


def delete_expired(uow, retention_days: int) -> int:
    cutoff = utc_timestamp(utcnow() - timedelta(days=retention_days))
    with uow:
        deleted = uow.audit.delete_older_than(cutoff)
        uow.commit()
    if deleted:
        log.info("deleted %d audit entries older than %d days", deleted, retention_days)
    return deleted
