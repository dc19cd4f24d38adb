"""create_app: the importer's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask

from services.importer.api import api
from services.importer.bootstrap import MIGRATIONS, CelerySender, ImporterService, build_service
from shared.config import Settings
from shared.messages import IMPORTER_QUEUE
from shared.service_app import create_service_app

# Multipart framing around the file: headers and the small option fields.
FORM_OVERHEAD_BYTES = 256 * 1024


def create_app(settings: Settings | None = None, service: ImporterService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    service = service or build_service(settings)
    app = create_service_app("importer", "Portal importer service", settings, service, blueprint=api,
                             migrations=MIGRATIONS, queue=IMPORTER_QUEUE,
                             max_content_length=service.max_upload_bytes + FORM_OVERHEAD_BYTES)
    if "celery" in app.extensions and service.sender is None:
        service.sender = CelerySender(app.extensions["celery"])
    return app
