"""Nothing waits on PostgreSQL without bound: a lock, a statement and a transaction left idle each end
within the session limits (shared/db.py), as an error the code treats as a passing failure of the
infrastructure: a chunk is sent again, a request answers 503."""

import io
import threading
import time

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from services.importer import bootstrap as importer_bootstrap
from services.importer import handlers as importer_handlers
from services.importer.handlers import Timing
from services.users import handlers
from services.users.app import create_app
from services.users.bootstrap import build_service, migrate
from shared.config import SessionLimits, Settings
from shared.db import make_engine
from shared.errors import NotFound
from shared.failures import INFRASTRUCTURE_ERRORS
from tests.integration.conftest import ADMIN_PASSWORD, MANAGER, RecordingSender, token_for
from tests.services import fresh_postgres_database

NO_LIMITS = SessionLimits(0, 0, 0)


@pytest.fixture
def database_url():
    with fresh_postgres_database() as url:
        engine = make_engine(url, NO_LIMITS)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)"))
            connection.execute(text("INSERT INTO counters VALUES (1, 0)"))
        engine.dispose()
        yield url


def hold_row_lock(engine, seconds: float, ended: list | None = None) -> threading.Thread:
    """Lock counter 1 in a transaction of its own and keep it open, idle, for `seconds`; what the
    transaction's next statement raised goes into `ended`."""
    locked = threading.Event()

    def hold():
        with engine.connect() as connection:
            connection.execute(text("SELECT value FROM counters WHERE id = 1 FOR UPDATE"))
            locked.set()
            time.sleep(seconds)
            try:
                connection.execute(text("SELECT 1"))
                connection.rollback()
            except Exception as error:  # recorded: the test asserts what it was
                if ended is not None:
                    ended.append(error)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert locked.wait(10)
    return thread


def test_a_writer_waiting_for_a_row_lock_fails_within_the_lock_timeout(database_url):
    holder = make_engine(database_url, NO_LIMITS)
    writer = make_engine(database_url, SessionLimits(lock_timeout_seconds=0.5))
    thread = hold_row_lock(holder, seconds=5)
    started = time.monotonic()
    with pytest.raises(INFRASTRUCTURE_ERRORS) as raised, writer.begin() as connection:
        connection.execute(text("UPDATE counters SET value = value + 1 WHERE id = 1"))
    assert time.monotonic() - started < 3
    assert isinstance(raised.value, sqlalchemy.exc.OperationalError)
    assert "lock timeout" in str(raised.value)
    thread.join()
    holder.dispose()
    writer.dispose()


def test_a_statement_running_too_long_is_cancelled_as_an_infrastructure_error(database_url):
    engine = make_engine(database_url, SessionLimits(statement_timeout_seconds=0.5))
    started = time.monotonic()
    with pytest.raises(sqlalchemy.exc.OperationalError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT pg_sleep(10)"))
    assert time.monotonic() - started < 5
    assert "statement timeout" in str(raised.value)
    engine.dispose()


def test_a_session_idle_in_a_transaction_is_ended_by_the_server_and_its_locks_freed(database_url):
    frozen = make_engine(database_url, SessionLimits(idle_in_transaction_seconds=0.5))
    writer = make_engine(database_url, SessionLimits(lock_timeout_seconds=8))
    ended: list[Exception] = []
    thread = hold_row_lock(frozen, seconds=3, ended=ended)
    started = time.monotonic()
    with writer.begin() as connection:  # waits for the lock only until the server ends the idle session
        connection.execute(text("UPDATE counters SET value = value + 1 WHERE id = 1"))
    assert time.monotonic() - started < 3
    thread.join()
    # The idle session learns it is gone at its next statement, as the error of a lost connection
    # (psycopg's own class for it, InternalError, is one the code would treat as a bug).
    assert len(ended) == 1 and isinstance(ended[0], sqlalchemy.exc.OperationalError), ended
    assert "idle-in-transaction timeout" in str(ended[0])
    with frozen.connect() as connection:  # the pool let the ended connection go
        assert connection.execute(text("SELECT value FROM counters WHERE id = 1")).scalar() == 1
    frozen.dispose()
    writer.dispose()


@pytest.fixture
def users_on_postgres(tmp_path, redis_url):
    with fresh_postgres_database() as url:
        def app_with(limits: dict[str, str]):
            settings = Settings.from_env({
                "PORTAL_DATA_DIR": str(tmp_path), "USERS_DATABASE_URL": url, "REDIS_URL": redis_url,
                "PORTAL_SECRET_KEY": "integration-test-secret-key-0123456789", **limits,
            })
            migrate(settings)
            service = build_service(settings)
            handlers.ensure_application_manager(service.unit_of_work(), settings.admin_code, ADMIN_PASSWORD)
            engines.append(service.engine)
            return create_app(settings, service), service.engine

        engines: list = []
        yield app_with
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("limits", [
    {"PORTAL_DB_LOCK_TIMEOUT_SECONDS": "0.5"},
    {"PORTAL_DB_LOCK_TIMEOUT_SECONDS": "0", "PORTAL_DB_STATEMENT_TIMEOUT_SECONDS": "0.5"},
], ids=["lock_timeout", "statement_timeout"])
def test_a_request_whose_statement_is_cancelled_answers_503_in_the_error_shape(users_on_postgres, limits):
    app, engine = users_on_postgres(limits)
    client = app.test_client()
    admin = {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}
    assert client.post("/api/v1/users", headers=admin, json={"code": "4711", "is_student": True}).status_code == 201
    holder = make_engine(str(engine.url.render_as_string(hide_password=False)), NO_LIMITS)
    with holder.connect() as connection:
        connection.execute(text("SELECT code FROM users WHERE code = '4711' FOR UPDATE"))
        started = time.monotonic()
        response = client.patch("/api/v1/users/4711", headers=admin, json={"last_name": "Vos"})
        waited = time.monotonic() - started
        connection.rollback()
    holder.dispose()
    assert response.status_code == 503, response.json
    assert response.json["error"]["code"] == "temporarily_unavailable"
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.headers["Retry-After"] == "1"
    assert waited < 5
    # The request changed nothing, and the next one goes through.
    assert client.patch("/api/v1/users/4711", headers=admin, json={"last_name": "Vos"}).status_code == 200


def test_the_sweep_passes_over_a_job_another_transaction_holds_instead_of_waiting_for_it(tmp_path):
    with fresh_postgres_database() as url:
        settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "IMPORTER_DATABASE_URL": url,
                                      "PORTAL_SECRET_KEY": "database-limits-secret-0123456789abcdef"})
        importer_bootstrap.migrate(settings)
        importer = importer_bootstrap.build_service(settings, RecordingSender())

        def upload() -> str:
            return importer_handlers.create_job(importer.unit_of_work(), "users", "export.csv",
                                                io.BytesIO(b"Leerlingnummer\r\n100234\r\n"), {}, MANAGER,
                                                importer.max_upload_bytes)["id"]

        held, other = upload(), upload()
        with importer.unit_of_work() as holder:  # e.g. a long analysis, holding its job's row
            holder.jobs.get(held, lock=True)
            started = time.monotonic()
            importer_handlers.sweep(importer.unit_of_work(), Timing(retention_hours=0))  # discards unstarted jobs
            waited = time.monotonic() - started
        assert waited < 2  # not the lock timeout (10 s), let alone the analysis
        with pytest.raises(NotFound):
            importer_handlers.get_job(importer.unit_of_work(), other)
        assert importer_handlers.get_job(importer.unit_of_work(), held)["status"] == "analyzing"
        importer.engine.dispose()
