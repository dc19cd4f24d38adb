"""The Flask app every service is: one factory, so each service's `create_app` says only what is its own.

What every service app has: the settings' secret key and a body limit, the service's wiring under
`app.extensions[name]`, the one JSON error shape, the security headers, the service's blueprint,
Celery on its own queue when there is a broker, and `/health` and `/api/v1/openapi.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from shared.celery_app import celery_init_app
from shared.config import Settings
from shared.db import migration_readiness
from shared.http import (
    MAX_JSON_BODY,
    add_service_endpoints,
    refuse_control_characters,
    register_error_handlers,
    register_security_headers,
)


def create_service_app(name: str, title: str, settings: Settings, service: Any, *, blueprint: Blueprint,
                       migrations: Path, queue: str,
                       max_content_length: int = MAX_JSON_BODY,
                       readiness: Callable[[Flask], list[str]] | None = None) -> Flask:
    """The app of service `name`: `service` (with its `engine`) in `app.extensions[name]`, the
    settings in `app.extensions["settings"]`, and Celery in `app.extensions["celery"]` when the
    settings name a broker.

    `/health` is ready once the database is migrated and `readiness(app)`, the service's own
    reasons, has none left."""
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

    def reasons_not_ready() -> list[str]:
        return migration_readiness(service.engine, migrations, name) or (readiness(app) if readiness else [])

    add_service_endpoints(app, title, reasons_not_ready)
    return app
