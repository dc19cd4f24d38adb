"""The enrollments service's unit of work: the one place where it commits."""

from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from services.enrollments.repository import SqlAlchemyEnrollmentRepository
from shared.db import read_only as read_only_engine


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], directory=None):
        self.session_factory = session_factory
        self.directory = directory  # catches up with the student events before validating

    def reading(self) -> "SqlAlchemyUnitOfWork":
        """For a block that only reads: on SQLite it then never waits for a writer."""
        self._read_only = True
        return self

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        read_only = getattr(self, "_read_only", False)
        self._read_only = False
        self.session = self.session_factory(bind=read_only_engine(self.session_factory.kw["bind"])) \
            if read_only else self.session_factory()
        self.enrollments = SqlAlchemyEnrollmentRepository(self.session)
        self._committed = False
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True
