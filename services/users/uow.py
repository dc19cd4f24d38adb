"""The unit of work: the one place where the users service commits."""

from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from shared.db import read_only as read_only_engine

from services.users.outbox import OutboxPublisher, SqlAlchemyOutbox
from services.users.repository import SqlAlchemyUserRepository
from shared.faults import crash_point


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], publisher: OutboxPublisher | None = None):
        self.session_factory = session_factory
        self.publisher = publisher

    def reading(self) -> "SqlAlchemyUnitOfWork":
        """For a block that only reads: on SQLite it then never waits for a writer."""
        self._read_only = True
        return self

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        read_only = getattr(self, "_read_only", False)
        self._read_only = False
        self.session = self.session_factory(bind=read_only_engine(self.session_factory.kw["bind"])) \
            if read_only else self.session_factory()
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
