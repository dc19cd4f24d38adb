"""The importer's unit of work: commits, then sends the messages the work produced.

Messages go out only after the commit, so no worker reads a job or chunk that is not there yet.
A crash between the commit and the send loses nothing: the sweep finds chunks and analyses whose
answer is overdue and sends them again.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from shared.db import read_only as read_only_engine

from services.importer.repository import SqlAlchemyImportRepository


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], sender):
        self.session_factory = session_factory
        self.sender = sender

    def reading(self) -> "SqlAlchemyUnitOfWork":
        """For a block that only reads: on SQLite it then never waits for a writer."""
        self._read_only = True
        return self

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        read_only = getattr(self, "_read_only", False)
        self._read_only = False
        self.session = self.session_factory(bind=read_only_engine(self.session_factory.kw["bind"])) \
            if read_only else self.session_factory()
        self.imports = SqlAlchemyImportRepository(self.session)
        self.outgoing: list[tuple[str, str, list]] = []
        self._committed = False
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def send_after_commit(self, task: str, queue: str, *args) -> None:
        self.outgoing.append((task, queue, list(args)))

    def commit(self) -> None:
        self.session.commit()
        self._committed = True
        outgoing, self.outgoing = self.outgoing, []
        for task, queue, args in outgoing:
            self.sender.send(task, queue, args)
