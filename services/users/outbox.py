"""The users service's outbox (its student events): the shared outbox on the users database's table.

This log is the record of the service's events: its published rows are kept, so the stream can
always be rebuilt from it (`portal events replay`)."""

from __future__ import annotations

from datetime import timedelta

import redis

from services.users.orm import OutboxRow
from shared import outbox
from shared.config import EVENT_STREAM


class SqlAlchemyOutbox(outbox.SqlAlchemyOutbox):
    def __init__(self, session):
        super().__init__(session, OutboxRow)


class OutboxPublisher(outbox.OutboxPublisher):
    def __init__(self, session_factory, client: redis.Redis, stream: str = EVENT_STREAM,
                 retention: timedelta = outbox.DEFAULT_RETENTION):
        super().__init__(session_factory, client, OutboxRow, stream, retention=retention, keeps_log=True,
                         log_name="users")
