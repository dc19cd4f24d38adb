"""create_app: the users service's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask

from services.users.api import api
from services.users.bootstrap import MIGRATIONS, UsersService, build_service
from services.users.schemas import SCHEMAS
from services.users.tasks import QUEUE
from shared.celery_app import celery_init_app
from shared.config import Settings
from shared.db import migration_readiness
from shared.http import MAX_JSON_BODY, add_service_endpoints, register_error_handlers, register_security_headers


def create_app(settings: Settings | None = None, service: UsersService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("users")
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=MAX_JSON_BODY)
    app.extensions["users"] = service or build_service(settings)
    app.extensions["settings"] = settings
    register_error_handlers(app)
    register_security_headers(app)
    app.register_blueprint(api)
    if settings.redis_url:
        celery_init_app(app, QUEUE, settings.redis_url)

    add_service_endpoints(app, "Portal users service", SCHEMAS, lambda: readiness(app))
    return app


def readiness(app: Flask) -> list[str]:
    """Why the service is not ready: database unreachable or not migrated, no application manager."""
    service: UsersService = app.extensions["users"]
    settings: Settings = app.extensions["settings"]
    reasons = migration_readiness(service.engine, MIGRATIONS, "users")
    if reasons:
        return reasons
    try:
        with service.unit_of_work().reading() as uow:
            if uow.users.get(settings.admin_code) is None:
                return ["no application manager yet"]
    except Exception as error:  # an unreachable database is "not ready", never a crash
        return [f"users database unavailable: {type(error).__name__}"]
    return []
