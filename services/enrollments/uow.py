"""The enrollments service's unit of work: the one place where it commits."""

from __future__ import annotations

from services.enrollments.orm import AppliedChunkRow
from services.enrollments.repository import SqlAlchemyEnrollmentRepository
from shared.applied_chunks import AppliedChunks
from shared.uow import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    def start(self, session) -> None:
        self.enrollments = SqlAlchemyEnrollmentRepository(session)
        self.applied_chunks = AppliedChunks(session, AppliedChunkRow)
