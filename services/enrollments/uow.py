"""The enrollments service's unit of work: the one place where it commits."""

from __future__ import annotations

from services.enrollments.orm import AppliedChunkRow, OutboxRow
from services.enrollments.repository import SqlAlchemyEnrollmentRepository
from shared.applied_chunks import AppliedChunks
from shared.outbox import OutboxAuditTrail, OutboxPublisher, SqlAlchemyOutbox
from shared.uow import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory, publisher: OutboxPublisher | None = None):
        super().__init__(session_factory)
        self.publisher = publisher

    def start(self, session) -> None:
        self.enrollments = SqlAlchemyEnrollmentRepository(session)
        self.applied_chunks = AppliedChunks(session, AppliedChunkRow)
        self.audit = OutboxAuditTrail(SqlAlchemyOutbox(session, OutboxRow))

    def after_commit(self) -> None:
        if self.publisher is not None and self.audit.added:
            self.publisher.try_publish_pending()
