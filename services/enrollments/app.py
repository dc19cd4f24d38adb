"""create_app: the enrollments service's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask

from services.enrollments.api import api
from services.enrollments.bootstrap import MIGRATIONS, EnrollmentsService, build_service
from shared.config import Settings
from shared.messages import ENROLLMENTS_QUEUE
from shared.service_app import create_service_app


def create_app(settings: Settings | None = None, service: EnrollmentsService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    return create_service_app("enrollments", "Portal enrollments service", settings,
                              service or build_service(settings), blueprint=api,
                              migrations=MIGRATIONS, queue=ENROLLMENTS_QUEUE)
