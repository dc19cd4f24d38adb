"""create_app: the enrollments service's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask

from services.enrollments.api import api
from services.enrollments.bootstrap import MIGRATIONS, EnrollmentsService, build_service
from services.enrollments.schemas import SCHEMAS
from services.enrollments.tasks import QUEUE
from shared.celery_app import celery_init_app
from shared.config import Settings
from shared.db import migration_readiness
from shared.http import MAX_JSON_BODY, add_service_endpoints, register_error_handlers, register_security_headers


def create_app(settings: Settings | None = None, service: EnrollmentsService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("enrollments")
    service = service or build_service(settings)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=MAX_JSON_BODY)
    app.extensions["enrollments"] = service
    app.extensions["settings"] = settings
    register_error_handlers(app)
    register_security_headers(app)
    app.register_blueprint(api)
    if settings.redis_url:
        celery_init_app(app, QUEUE, settings.redis_url)

    add_service_endpoints(app, "Portal enrollments service", SCHEMAS,
                          lambda: migration_readiness(service.engine, MIGRATIONS, "enrollments"))
    return app
