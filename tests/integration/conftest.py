import pytest
import redis

from services.enrollments import app as enrollments_app
from services.enrollments import bootstrap as enrollments_bootstrap
from services.importer import app as importer_app
from services.importer import bootstrap as importer_bootstrap
from services.users import handlers
from services.users.app import create_app
from services.users.bootstrap import build_service, migrate
from shared.config import Settings
from shared.policy import Actor
from shared.rights import RIGHTS
from tests.services import fresh_postgres_database

ADMIN_PASSWORD = "admin-password-1"
SERVICES_SECRET = "in-process-services-secret-0123456789"
MANAGER = Actor("admin", frozenset(RIGHTS))  # the first application manager, acting in handler tests


def with_manager(service):
    """The users service with its first application manager in the database."""
    handlers.ensure_application_manager(service.unit_of_work(), MANAGER.code, ADMIN_PASSWORD)
    return service


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


@pytest.fixture(params=["sqlite", "postgresql"])
def users_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'users.sqlite3'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def settings(tmp_path, users_database_url, redis_url):
    return Settings.from_env({
        "PORTAL_DATA_DIR": str(tmp_path),
        "USERS_DATABASE_URL": users_database_url,
        "REDIS_URL": redis_url,
        "PORTAL_SECRET_KEY": "integration-test-secret-key-0123456789",
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    })


@pytest.fixture
def users_app(settings, redis_client):
    migrate(settings)
    service = build_service(settings, redis_client)
    handlers.ensure_application_manager(service.unit_of_work(), settings.admin_code, ADMIN_PASSWORD)
    app = create_app(settings, service)
    yield app
    service.engine.dispose()


@pytest.fixture
def client(users_app):
    return users_app.test_client()


def token_for(client, code, password):
    response = client.post("/api/v1/auth/token", json={"code": code, "password": password})
    assert response.status_code == 200, response.json
    return response.json["access_token"]


@pytest.fixture
def admin(client):
    return {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}


class RecordingSender:
    """The importer's task sender, keeping what it would send: no importer worker runs here."""

    def __init__(self):
        self.sent = []

    def send(self, task, queue, args):
        self.sent.append((task, queue, args))


@pytest.fixture(scope="module")
def service_apps(tmp_path_factory, redis_url):
    """The three services' Flask apps in one process, on SQLite files and a flushed Redis, sharing one
    secret, with the application manager `admin` created (password ADMIN_PASSWORD)."""
    settings = Settings.from_env({
        "PORTAL_DATA_DIR": str(tmp_path_factory.mktemp("portal")),
        "REDIS_URL": redis_url,
        "PORTAL_SECRET_KEY": SERVICES_SECRET,
    })
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    migrate(settings)
    importer_bootstrap.migrate(settings)
    enrollments_bootstrap.migrate(settings)
    users = build_service(settings)
    handlers.ensure_application_manager(users.unit_of_work(), settings.admin_code, ADMIN_PASSWORD)
    apps = {
        "users": create_app(settings, users),
        "importer": importer_app.create_app(settings, importer_bootstrap.build_service(settings, RecordingSender())),
        "enrollments": enrollments_app.create_app(settings),
    }
    yield apps
    for name, app in apps.items():
        app.extensions[name].engine.dispose()
