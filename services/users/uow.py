"""The unit of work: the one place where the users service commits."""

from __future__ import annotations

from services.users.audit import SqlAlchemyAuditTrail
from services.users.orm import AppliedChunkRow
from services.users.outbox import OutboxPublisher, SqlAlchemyOutbox
from services.users.repository import SqlAlchemyUserRepository
from services.users.sessions import RevocationPublisher, SqlAlchemySessions
from shared.applied_chunks import AppliedChunks
from shared.faults import crash_point
from shared.sealing import Sealer
from shared.uow import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory, publisher: OutboxPublisher | None, sealer: Sealer,
                 revocation_publisher: RevocationPublisher | None = None):
        super().__init__(session_factory)
        self.publisher = publisher
        self.revocation_publisher = revocation_publisher
        self.sealer = sealer  # opens the sealed password cells of imported rows
        self._all_published = False  # the publish after this unit's commit left nothing pending

    def start(self, session) -> None:
        self.users = SqlAlchemyUserRepository(session)
        self.applied_chunks = AppliedChunks(session, AppliedChunkRow)
        self.outbox = SqlAlchemyOutbox(session)
        self.audit = SqlAlchemyAuditTrail(session)
        self.sessions = SqlAlchemySessions(session)

    def after_commit(self) -> None:
        if self.sessions.ended_any and self.revocation_publisher is not None:
            self.revocation_publisher.try_publish_pending()  # first: every service should stop a token at once
        if not self.outbox.added:
            return  # no event in this commit (a login's audit entry); what others left is the relay's
        crash_point("users.after_commit")
        if self.publisher is not None:
            # The enrollments service trusts that a student whose request was answered is on the
            # stream: when another publisher has the turn (the relay putting back what Redis lost),
            # wait a moment for it to publish these too.
            self._all_published = (self.publisher.try_publish_pending()
                                   or self.publisher.wait_until_published())

    def confirm_published(self) -> None:
        if self.publisher is not None and not self._all_published:
            self.publisher.publish_confirmed()
