"""Wiring: real adapters (SQLAlchemy, Redis) from settings; tests pass their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.users.audit import AuditCollector
from services.users.outbox import OutboxPublisher
from services.users.sessions import RevocationPublisher
from services.users.throttle import LoginThrottle, login_throttle
from services.users.uow import SqlAlchemyUnitOfWork
from shared.config import Settings
from shared.db import make_engine, upgrade_to_head
from shared.redis_client import redis_client as redis_client_of
from shared.sealing import Sealer

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class UsersService:
    engine: Engine
    publisher: OutboxPublisher | None
    sealer: Sealer
    throttle: LoginThrottle = field(default_factory=lambda: login_throttle(None))
    audit_collector: AuditCollector | None = None
    revocation_publisher: RevocationPublisher | None = None

    def __post_init__(self):
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory, self.publisher, self.sealer, self.revocation_publisher)


def build_service(settings: Settings, redis_client: redis.Redis | None = None) -> UsersService:
    engine = make_engine(settings.users_database_url, settings.database_limits)
    if redis_client is None and settings.redis_url:
        redis_client = redis_client_of(settings.redis_url)
    service = UsersService(engine, None, Sealer(settings.secret_key), login_throttle(redis_client))
    if redis_client is not None:
        service.publisher = OutboxPublisher(service.session_factory, redis_client,
                                            retention=timedelta(hours=settings.event_retention_hours))
        service.audit_collector = AuditCollector(redis_client, service.unit_of_work, settings.audit_retention_days)
        service.revocation_publisher = RevocationPublisher(service.session_factory, redis_client)
    return service


def migrate(settings: Settings) -> None:
    upgrade_to_head(MIGRATIONS, settings.users_database_url)
