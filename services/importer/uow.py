"""The importer's unit of work: commits, then sends the messages the work produced.

Messages go out only after the commit, so no worker reads a job or chunk that is not there yet.
A crash between the commit and the send loses nothing: the sweep finds chunks and analyses whose
answer is overdue and sends them again.
"""

from __future__ import annotations

from pathlib import Path

from services.importer.orm import OutboxRow
from services.importer.ports import Sender
from services.importer.repository import SqlAlchemyJobRepository
from services.importer.seen_keys import SeenKeysFile
from shared.outbox import OutboxAuditTrail, OutboxPublisher, SqlAlchemyOutbox
from shared.sealing import Sealer
from shared.uow import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory, sender: Sender, sealer: Sealer, publisher: OutboxPublisher | None = None,
                 scratch_dir: Path | None = None):
        super().__init__(session_factory)
        self.scratch_dir = scratch_dir
        self.sender = sender
        self.sealer = sealer
        self.publisher = publisher

    def start(self, session) -> None:
        self.jobs = SqlAlchemyJobRepository(session, self.sealer)
        self.outgoing: list[tuple[str, str, list]] = []
        self.outbox = SqlAlchemyOutbox(session, OutboxRow)
        self.audit = OutboxAuditTrail(self.outbox)

    def send_after_commit(self, task: str, queue: str, *args) -> None:
        self.outgoing.append((task, queue, list(args)))

    def seen_keys(self) -> SeenKeysFile:
        return SeenKeysFile(self.scratch_dir)

    def after_commit(self) -> None:
        outgoing, self.outgoing = self.outgoing, []
        for task, queue, args in outgoing:
            self.sender.send(task, queue, args)
        if self.publisher is not None and self.audit.added:
            self.publisher.try_publish_pending()
