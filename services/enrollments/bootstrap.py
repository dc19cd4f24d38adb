"""Wiring: the enrollments database and, with Redis, the student directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.enrollments.directory import StudentDirectory
from services.enrollments.orm import OutboxRow
from services.enrollments.uow import SqlAlchemyUnitOfWork
from shared.config import Settings
from shared.db import make_engine, upgrade_to_head
from shared.outbox import OutboxPublisher
from shared.redis_client import redis_client as redis_client_of

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class EnrollmentsService:
    engine: Engine
    directory: StudentDirectory | None = None
    publisher: OutboxPublisher | None = None  # its audit entries to the event stream

    def __post_init__(self):
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory, self.publisher)


def build_service(settings: Settings, redis_client: redis.Redis | None = None) -> EnrollmentsService:
    service = EnrollmentsService(make_engine(settings.enrollments_database_url, settings.database_limits))
    if redis_client is None and settings.redis_url:
        redis_client = redis_client_of(settings.redis_url)
    if redis_client is not None:
        service.directory = StudentDirectory(redis_client, service.unit_of_work)
        service.publisher = OutboxPublisher(service.session_factory, redis_client, OutboxRow,
                                            retention=timedelta(hours=settings.event_retention_hours))
    return service


def migrate(settings: Settings) -> None:
    upgrade_to_head(MIGRATIONS, settings.enrollments_database_url)
