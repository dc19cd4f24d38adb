"""The transactional outbox: events are rows written with their change, published after commit.

Each service that publishes declares the `outbox_events` table on its own `Base` with
`class OutboxRow(OutboxTable, Base)` and passes that class here (the users service for its student
events; the importer and the enrollments service for their audit entries, `OutboxAuditTrail`).

`publish_pending` sends every pending event to the stream in the order the rows were written and
then deletes their rows (the stream keeps the events; the table only what is still to send). It
runs right after each commit (so an event is on the stream before the request that caused it is
answered) and in the relay process (which catches whatever a crash or a Redis outage left behind).
A crash between XADD and the delete publishes that event twice; subscribers deduplicate by the
envelope's id, so at-least-once is enough.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy import DateTime, Integer, String, Text, delete, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.audit import AUDIT_RECORDED, AuditEntry
from shared.clock import utcnow
from shared.config import EVENT_STREAM
from shared.db import copy_rows, is_postgresql, one_of
from shared.events.envelope import EVENT_FIELD, Envelope
from shared.redis_client import execute_replicated

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
POLL_SECONDS = 0.5
# The writer publishes its own events right after its commit; the relay is for what a crash or an
# outage left behind, so it leaves young events to their writer instead of racing it for them.
MIN_AGE_SECONDS = 2.0


class OutboxTable:
    """The columns of `outbox_events`: an event written in the transaction of its change; deleted
    once it is on the stream."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    envelope: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SqlAlchemyOutbox:
    def __init__(self, session: Session, row_class: type[Any]):  # a service's OutboxRow
        self.session = session
        self.row_class = row_class
        self.added = 0  # events written in this unit of work

    def add(self, envelope: Envelope) -> None:
        self.add_many([envelope])

    def add_many(self, envelopes: list[Envelope]) -> None:
        if not envelopes:
            return
        self.added += len(envelopes)
        now, connection = utcnow(), self.session.connection()
        rows = [(envelope.id, envelope.to_json(), now) for envelope in envelopes]
        if is_postgresql(connection):
            copy_rows(connection, self.row_class.__tablename__, ("event_id", "envelope", "created_at"), rows)
        else:
            connection.execute(insert(self.row_class.__table__), [
                {"event_id": event_id, "envelope": envelope, "created_at": created_at}
                for event_id, envelope, created_at in rows
            ])


class OutboxAuditTrail:
    """A service's audit entries, written to its outbox as `audit.recorded` events in the transaction
    of the change; the users service collects them into the trail (services/users/audit.py)."""

    def __init__(self, outbox: SqlAlchemyOutbox):
        self.outbox = outbox
        self.added = 0  # entries written in this unit of work: after its commit they are published

    def add(self, entry: AuditEntry) -> None:
        self.outbox.add(Envelope.new(AUDIT_RECORDED, entry.to_dict()))
        self.added += 1


class OutboxPublisher:
    def __init__(self, session_factory: Callable[[], Session], client: redis.Redis, row_class: type[Any],
                 stream: str = EVENT_STREAM):
        self.session_factory = session_factory
        self.row_class = row_class
        self.client = client
        self.stream = stream

    def publish_pending(self, min_age_seconds: float = 0.0) -> int:
        """Publish everything pending (at least `min_age_seconds` old); returns how many were sent."""
        total = 0
        while sent := self._publish_batch(min_age_seconds):
            total += sent
            if sent < BATCH_SIZE:
                break
        return total

    def try_publish_pending(self, min_age_seconds: float = 0.0) -> None:
        """After a commit: publish now if Redis answers, else leave it to the relay."""
        try:
            self.publish_pending(min_age_seconds)
        except redis.RedisError as error:
            log.warning("events stay in the outbox until the relay can publish them: %s", error)

    def _publish_batch(self, min_age_seconds: float) -> int:
        OutboxRow = self.row_class  # noqa: N806
        with self.session_factory() as session, session.begin():
            # FOR UPDATE makes concurrent publishers (requests, relay) take turns on PostgreSQL,
            # which keeps the stream in outbox order; SQLite serialises writers by itself.
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.envelope)
                .where(OutboxRow.created_at <= utcnow() - timedelta(seconds=min_age_seconds))
                .order_by(OutboxRow.id)
                .limit(BATCH_SIZE)
                .with_for_update()
            ).all()
            if not rows:
                return 0
            pipe = self.client.pipeline(transaction=False)
            for _, envelope in rows:
                pipe.xadd(self.stream, {EVENT_FIELD: envelope})
            execute_replicated(pipe)  # with a replica: on it before the rows go
            ids = [row_id for row_id, _ in rows]
            session.execute(delete(OutboxRow).where(one_of(OutboxRow.id, ids, session.connection()))
                            .execution_options(synchronize_session=False))
        return len(rows)


def run_relay(publisher: OutboxPublisher, stop: threading.Event, poll_seconds: float = POLL_SECONDS,
              min_age_seconds: float = MIN_AGE_SECONDS, also: Callable[[], None] | None = None) -> None:
    """Publish what the outbox still holds, every `poll_seconds` until `stop`; `also` is more work for
    each round (the users relay collects the audit trail)."""
    while not stop.is_set():
        try:
            sent = publisher.publish_pending(min_age_seconds)
            if sent:
                log.info("relay published %d pending events", sent)
            if also is not None:
                also()
        except (redis.RedisError, OperationalError) as error:
            log.warning("relay could not publish yet: %s", error)
        stop.wait(poll_seconds)
