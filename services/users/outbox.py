"""The users service's outbox (its student events): the shared outbox on the users database's table."""

from __future__ import annotations

import redis

from services.users.orm import OutboxRow
from shared import outbox
from shared.config import EVENT_STREAM


class SqlAlchemyOutbox(outbox.SqlAlchemyOutbox):
    def __init__(self, session):
        super().__init__(session, OutboxRow)


class OutboxPublisher(outbox.OutboxPublisher):
    def __init__(self, session_factory, client: redis.Redis, stream: str = EVENT_STREAM):
        super().__init__(session_factory, client, OutboxRow, stream)
