"""The unit of work: the one place where the users service commits."""

from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from services.users.outbox import OutboxPublisher, SqlAlchemyOutbox
from services.users.repository import SqlAlchemyUserRepository
from shared.faults import crash_point


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], publisher: OutboxPublisher | None = None):
        self.session_factory = session_factory
        self.publisher = publisher

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        self.session = self.session_factory()
        self.users = SqlAlchemyUserRepository(self.session)
        self.outbox = SqlAlchemyOutbox(self.session)
        self._committed = False
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True
        crash_point("users.after_commit")
        if self.publisher is not None:
            self.publisher.try_publish_pending()
