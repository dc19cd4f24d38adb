"""create_app: the enrollments service's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry

from services.enrollments.api import api
from services.enrollments.bootstrap import MIGRATIONS, EnrollmentsService, build_service
from services.enrollments.directory import GROUP
from shared.config import Settings
from shared.events.subscriber import group_position
from shared.messages import ENROLLMENTS_QUEUE
from shared.redis_client import redis_client
from shared.service_app import create_service_app


def create_app(settings: Settings | None = None, service: EnrollmentsService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    return create_service_app("enrollments", "Portal enrollments service", settings,
                              service or build_service(settings), blueprint=api,
                              migrations=MIGRATIONS, queue=ENROLLMENTS_QUEUE,
                              health_details=_event_position(settings.redis_url) if settings.redis_url else None)


def _event_position(redis_url: str):
    # A client of its own: short timeouts and no retries, so /health answers at once when Redis is away.
    client = redis_client(redis_url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))

    def details(app: Flask) -> dict[str, Any]:
        """Where the student directory is on the event stream: its consumer group's
        last-delivered-id, pending and lag. Information only: never a reason to be unready."""
        try:
            position = group_position(client, GROUP)
        except redis.RedisError as error:
            return {"events": {"group": GROUP, "unavailable": type(error).__name__}}
        return {"events": position or {"group": GROUP, "missing": True}}

    return details
