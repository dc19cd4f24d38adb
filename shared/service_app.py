"""The Flask app every service is: one factory, so each service's `create_app` says only what is its own.

What every service app has: the settings' secret key (refused when short) and a body limit, the service's wiring under
`app.extensions[name]`, the one JSON error shape, the security headers, the service's blueprint,
Celery on its own queue and the copy of ended sessions (`shared/revocation.py`) when there is a
broker, and `/health` and `/api/v1/openapi.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask
from redis.backoff import NoBackoff
from redis.retry import Retry

from shared.celery_app import celery_init_app
from shared.config import Settings, check_secret_key
from shared.db import migration_readiness
from shared.http import (
    MAX_JSON_BODY,
    add_service_endpoints,
    refuse_control_characters,
    register_error_handlers,
    register_security_headers,
)
from shared.redis_client import redis_client
from shared.revocation import RevokedSessions


def create_service_app(name: str, title: str, settings: Settings, service: Any, *, blueprint: Blueprint,
                       migrations: Path, queue: str,
                       max_content_length: int = MAX_JSON_BODY,
                       readiness: Callable[[Flask], list[str]] | None = None,
                       health_details: Callable[[Flask], dict[str, Any]] | None = None) -> Flask:
    """The app of service `name`: `service` (with its `engine`) in `app.extensions[name]`, the
    settings in `app.extensions["settings"]`, and Celery in `app.extensions["celery"]` when the
    settings name a broker.

    `/health` is ready once the database is migrated and `readiness(app)`, the service's own
    reasons, has none left; `health_details(app)` adds what operators may want to see there."""
    check_secret_key(settings.secret_key, generated=settings.secret_key_generated)
    app = Flask(name)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=max_content_length)
    app.extensions[name] = service
    app.extensions["settings"] = settings
    register_error_handlers(app)
    register_security_headers(app)
    refuse_control_characters(app)
    app.register_blueprint(blueprint)
    if settings.redis_url:
        celery_init_app(app, queue, settings.redis_url)
        app.extensions["revocations"] = RevokedSessions(_revocation_client(settings.redis_url))

    def reasons_not_ready() -> list[str]:
        return migration_readiness(service.engine, migrations, name) or (readiness(app) if readiness else [])

    add_service_endpoints(app, title, reasons_not_ready,
                          details=(lambda: health_details(app)) if health_details else None)
    return app


def _revocation_client(redis_url: str):
    # Short timeouts: a Redis that stops answering must make the copy stale, not hang its reader.
    # No retries inside redis-py (by default up to 10, with pauses of up to a second): the reader
    # tries again every 0.2 s itself, so it notices at once that Redis is back.
    return lambda: redis_client(redis_url, socket_timeout=2, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
