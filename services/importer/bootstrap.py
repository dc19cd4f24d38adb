"""Wiring: the importer's database and the Celery sender, from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.importer.handlers import Timing
from services.importer.orm import OutboxRow
from services.importer.uow import SqlAlchemyUnitOfWork
from shared.config import Settings
from shared.db import make_engine, upgrade_to_head
from shared.outbox import OutboxPublisher
from shared.redis_client import redis_client as redis_client_of
from shared.sealing import Sealer

MIGRATIONS = Path(__file__).parent / "migrations"


class CelerySender:
    """Sends a task by name to a queue; no service imports another's tasks."""

    def __init__(self, celery_app):
        self.celery_app = celery_app

    def send(self, task: str, queue: str, args: list) -> None:
        self.celery_app.send_task(task, args=args, queue=queue)


@dataclass
class ImporterService:
    engine: Engine
    sender: object
    timing: Timing
    max_upload_bytes: int
    sealer: Sealer
    publisher: OutboxPublisher | None = None  # its audit entries to the event stream
    scratch_dir: Path | None = None  # an analysis' throwaway files; None: the system's temporary directory

    def __post_init__(self):
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory, self.sender, self.sealer, self.publisher, self.scratch_dir)


def build_service(settings: Settings, sender=None, redis_client: redis.Redis | None = None) -> ImporterService:
    service = ImporterService(
        engine=make_engine(settings.importer_database_url, settings.database_limits),
        sender=sender,
        timing=Timing(chunk_timeout_seconds=settings.chunk_timeout_seconds,
                      retention_hours=settings.import_retention_hours,
                      row_retention_days=settings.import_retention_days),
        max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
        sealer=Sealer(settings.secret_key),
        scratch_dir=settings.scratch_dir,
    )
    if redis_client is None and settings.redis_url:
        redis_client = redis_client_of(settings.redis_url)
    if redis_client is not None:
        service.publisher = OutboxPublisher(service.session_factory, redis_client, OutboxRow,
                                            retention=timedelta(hours=settings.event_retention_hours))
    return service


def migrate(settings: Settings) -> None:
    upgrade_to_head(MIGRATIONS, settings.importer_database_url)
