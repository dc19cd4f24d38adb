"""create_app: the users service's Flask app; nothing is connected before it is called."""

from __future__ import annotations

from flask import Flask

from services.users.api import api
from services.users.bootstrap import MIGRATIONS, UsersService, build_service
from shared.config import Settings
from shared.messages import USERS_QUEUE
from shared.service_app import create_service_app


def create_app(settings: Settings | None = None, service: UsersService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    service = service or build_service(settings)
    app = create_service_app("users", "Portal users service", settings, service,
                             blueprint=api, migrations=MIGRATIONS, queue=USERS_QUEUE, readiness=readiness)
    if "revocations" in app.extensions and service.revocation_publisher is not None:
        service.revocation_publisher.on_published = app.extensions["revocations"].add
    return app


def readiness(app: Flask) -> list[str]:
    """Why the migrated service is not ready yet: no application manager, or the database went away."""
    service: UsersService = app.extensions["users"]
    settings: Settings = app.extensions["settings"]
    try:
        with service.unit_of_work().reading() as uow:
            if uow.users.get(settings.admin_code) is None:
                return ["no application manager yet"]
    except Exception as error:  # an unreachable database is "not ready", never a crash
        return [f"users database unavailable: {type(error).__name__}"]
    return []
