"""The unit-of-work base every service uses: a session per block, commit in one place, rollback
of whatever a block did not commit, and read-only blocks that never wait for a writer on SQLite."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from shared.db import read_only as read_only_engine


class UnitOfWork:
    def __init__(self, session_factory: Callable[..., Session]):
        self.session_factory = session_factory
        self._read_only = False

    def reading(self) -> UnitOfWork:
        """Use as `with uow.reading():` for a block that only reads."""
        self._read_only = True
        return self

    def __enter__(self):
        read_only, self._read_only = self._read_only, False
        bind = self.session_factory.kw["bind"]
        self.session = self.session_factory(bind=read_only_engine(bind)) if read_only else self.session_factory()
        self._committed = False
        self.start(self.session)
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True
        self.after_commit()

    def start(self, session: Session) -> None:
        """Open the service's repositories on the session."""

    def after_commit(self) -> None:
        """What follows a commit (publishing events, sending messages)."""
