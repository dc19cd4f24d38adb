"""The transactional outbox: events are rows written with their change, published after commit.

`publish_pending` sends every pending event to the stream in the order the rows were written and
then deletes their rows (the stream keeps the events; the table only what is still to send). It
runs right after each commit (so an event is on the stream before the request that caused it is
answered) and in the relay process (which catches whatever a crash or a Redis outage left behind).
A crash between XADD and the delete publishes that event twice; subscribers deduplicate by the
envelope's id, so at-least-once is enough.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import redis
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.users.orm import OutboxRow
from shared.clock import utcnow
from shared.config import EVENT_STREAM
from shared.db import copy_rows, is_postgresql, one_of
from shared.events.envelope import EVENT_FIELD, Envelope

log = logging.getLogger(__name__)

BATCH_SIZE = 5000


class SqlAlchemyOutbox:
    def __init__(self, session: Session):
        self.session = session

    def add(self, envelope: Envelope) -> None:
        self.add_many([envelope])

    def add_many(self, envelopes: list[Envelope]) -> None:
        if not envelopes:
            return
        now, connection = utcnow(), self.session.connection()
        rows = [(envelope.id, envelope.to_json(), now) for envelope in envelopes]
        if is_postgresql(connection):
            copy_rows(connection, "outbox_events", ("event_id", "envelope", "created_at"), rows)
        else:
            connection.execute(insert(OutboxRow.__table__), [
                {"event_id": event_id, "envelope": envelope, "created_at": created_at}
                for event_id, envelope, created_at in rows
            ])


class OutboxPublisher:
    def __init__(self, session_factory: Callable[[], Session], client: redis.Redis, stream: str = EVENT_STREAM):
        self.session_factory = session_factory
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

    def try_publish_pending(self) -> None:
        """After a commit: publish now if Redis answers, else leave it to the relay."""
        try:
            self.publish_pending()
        except redis.RedisError as error:
            log.warning("events stay in the outbox until the relay can publish them: %s", error)

    def _publish_batch(self, min_age_seconds: float) -> int:
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
            pipe.execute()
            ids = [row_id for row_id, _ in rows]
            session.execute(delete(OutboxRow).where(one_of(OutboxRow.id, ids, session.connection()))
                            .execution_options(synchronize_session=False))
        return len(rows)
