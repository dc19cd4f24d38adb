"""create_app: the users service's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask, jsonify

from services.users.api import api
from services.users.bootstrap import MIGRATIONS, UsersService, build_service
from services.users.schemas import SCHEMAS
from services.users.tasks import QUEUE
from shared.celery_app import celery_init_app
from shared.config import Settings
from shared.db import is_at_head
from shared.http import MAX_JSON_BODY, register_error_handlers
from shared.openapi import build_document


def create_app(settings: Settings | None = None, service: UsersService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("users")
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=MAX_JSON_BODY)
    app.extensions["users"] = service or build_service(settings)
    app.extensions["settings"] = settings
    register_error_handlers(app)
    app.register_blueprint(api)
    if settings.redis_url:
        celery_init_app(app, QUEUE, settings.redis_url)

    @app.get("/health")
    def health():
        """Ready once the database is migrated and the first application manager exists."""
        ready, reasons = service_readiness(app)
        return jsonify(status="ok" if ready else "starting", reasons=reasons), 200 if ready else 503

    @app.get("/api/v1/openapi.json")
    def openapi():
        return jsonify(openapi_document(app))

    return app


def openapi_document(app: Flask) -> dict:
    return build_document(app, "Portal users service", SCHEMAS)


def service_readiness(app: Flask) -> tuple[bool, list[str]]:
    service: UsersService = app.extensions["users"]
    settings: Settings = app.extensions["settings"]
    try:
        if not is_at_head(service.engine, MIGRATIONS):
            return False, ["users database not migrated"]
        with service.unit_of_work() as uow:
            if uow.users.get(settings.admin_code) is None:
                return False, ["no application manager yet"]
    except Exception as error:  # an unreachable database is "not ready", never a crash
        return False, [f"users database unavailable: {type(error).__name__}"]
    return True, []
