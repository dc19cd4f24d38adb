"""create_app: the importer's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask

from services.importer.api import api
from services.importer.bootstrap import MIGRATIONS, CelerySender, ImporterService, build_service
from services.importer.schemas import SCHEMAS
from services.importer.tasks import QUEUE
from shared.celery_app import celery_init_app
from shared.config import Settings
from shared.db import migration_readiness
from shared.http import add_service_endpoints, register_error_handlers, register_security_headers

# Multipart framing around the file: headers and the small option fields.
FORM_OVERHEAD_BYTES = 256 * 1024


def create_app(settings: Settings | None = None, service: ImporterService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("importer")
    service = service or build_service(settings)
    app.config.update(SECRET_KEY=settings.secret_key,
                      MAX_CONTENT_LENGTH=service.max_upload_bytes + FORM_OVERHEAD_BYTES)
    app.extensions["importer"] = service
    app.extensions["settings"] = settings
    register_error_handlers(app)
    register_security_headers(app)
    app.register_blueprint(api)
    if settings.redis_url:
        celery_app = celery_init_app(app, QUEUE, settings.redis_url)
        if service.sender is None:
            service.sender = CelerySender(celery_app)

    add_service_endpoints(app, "Portal importer service", SCHEMAS,
                          lambda: migration_readiness(service.engine, MIGRATIONS, "importer"))
    return app
