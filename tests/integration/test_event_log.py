"""The users database as the record of the events, against real SQLite/PostgreSQL and a real Redis:
the stream is rebuilt after Redis lost it, trimmed without losing what a group still needs, never
holds up a request, and an import chunk is answered only once its events are on it."""

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import func, select, text

from portal import cli
from services.users import handlers
from services.users.app import create_app
from services.users.bootstrap import build_service, migrate
from services.users.commands import CreateUser, UpdateUser
from services.users.orm import OutboxRow
from services.users.outbox import OutboxPublisher
from shared import event_stream
from shared.chunk_task import decide_chunk
from shared.config import EVENT_STREAM, Settings
from shared.events.subscriber import Subscriber
from shared.failures import EventsNotPublished
from shared.messages import Chunk, RowIn
from shared.outbox import PUBLISH_LOCK, REQUEST_WAIT_SECONDS
from tests.integration.conftest import ADMIN_PASSWORD, MANAGER, token_for, with_manager
from tests.services import fresh_postgres_database

# A request waits at most REQUEST_WAIT_SECONDS for its events, then answers; the rest is the request's
# own work, slow on a loaded machine. Waiting on the frozen publisher would take 4 s or for ever.
ANSWERS_WITHIN = REQUEST_WAIT_SECONDS + 2.0


def envelope_ids(client):
    return [json.loads(fields[b"event"])["id"] for _, fields in client.xrange(EVENT_STREAM)]


def log_event_ids(service):
    with service.session_factory() as session:
        return list(session.scalars(select(OutboxRow.event_id).where(OutboxRow.published_at.is_not(None))
                                    .order_by(OutboxRow.published_at, OutboxRow.id)))


def pending(service):
    with service.session_factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.published_at.is_(None)))


def create_students(service, *codes):
    for code in codes:
        handlers.create_user(service.unit_of_work(), CreateUser.from_json({"code": code, "is_student": True}),
                             MANAGER)


def test_the_relay_puts_back_every_event_a_flushall_took_in_order_before_new_ones(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    create_students(service, "1", "2", "3")
    handlers.update_user(service.unit_of_work(), UpdateUser.from_json("1", {"first_name": "Noor"}), MANAGER)
    before = envelope_ids(redis_client)
    assert before == log_event_ids(service) and len(before) == 4

    redis_client.flushall()
    create_students(service, "4")  # its request leaves it to the relay: it must not overtake the others
    assert redis_client.xlen(EVENT_STREAM) == 0 and pending(service) == 1
    assert service.publisher.publish_pending(repair=True) == 5
    after = envelope_ids(redis_client)
    assert after[:4] == before and after == log_event_ids(service)


def test_a_group_reading_a_stream_reset_to_a_lower_id_gets_the_lost_events(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    create_students(service, "1", "2")
    lost = envelope_ids(redis_client)
    redis_client.delete(EVENT_STREAM)  # e.g. a replica promoted with an older copy
    redis_client.xadd(EVENT_STREAM, {"event": json.dumps({"id": "older"})}, id="1-1")
    seen = []
    subscriber = Subscriber(redis_client, "reader", "c1", batch_handler=lambda envelopes: None)
    subscriber.ensure_group()

    service.publisher.publish_pending(repair=True)
    for _, fields in redis_client.xreadgroup("reader", "c1", {EVENT_STREAM: ">"})[0][1]:
        seen.append(json.loads(fields[b"event"])["id"])
    assert seen == ["older", *lost]


def test_trimming_keeps_the_entries_a_group_has_not_acknowledged(redis_client):
    old = datetime.now(UTC) - timedelta(hours=30)
    ids = [redis_client.xadd(EVENT_STREAM, {"event": "{}"}, id=f"{int(old.timestamp() * 1000)}-{n}").decode()
           for n in range(4)]
    redis_client.xgroup_create(EVENT_STREAM, "fast", id="0")
    redis_client.xgroup_create(EVENT_STREAM, "slow", id="0")
    redis_client.xreadgroup("fast", "c", {EVENT_STREAM: ">"})
    redis_client.xack(EVENT_STREAM, "fast", *ids)
    redis_client.xreadgroup("slow", "c", {EVENT_STREAM: ">"}, count=3)
    redis_client.xack(EVENT_STREAM, "slow", ids[0], ids[2])  # ids[1] pending, ids[3] not yet delivered

    assert event_stream.trim(redis_client, EVENT_STREAM, timedelta(hours=24), datetime.now(UTC)) == 1
    assert [entry_id.decode() for entry_id, _ in redis_client.xrange(EVENT_STREAM)] == ids[1:]
    redis_client.xack(EVENT_STREAM, "slow", ids[1])
    redis_client.xreadgroup("slow", "c", {EVENT_STREAM: ">"})
    redis_client.xack(EVENT_STREAM, "slow", ids[3])
    assert event_stream.trim(redis_client, EVENT_STREAM, timedelta(hours=24), datetime.now(UTC)) == 3
    assert event_stream.trim(redis_client, EVENT_STREAM, timedelta(hours=24), datetime.now(UTC)) == 0


@pytest.fixture
def postgresql_settings(tmp_path, redis_url):
    with fresh_postgres_database() as url:
        yield Settings.from_env({
            "PORTAL_DATA_DIR": str(tmp_path), "USERS_DATABASE_URL": url, "REDIS_URL": redis_url,
            "PORTAL_SECRET_KEY": "integration-test-secret-key-0123456789", "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        })


def test_creating_a_user_answers_at_once_while_a_frozen_publisher_holds_the_publishers_turn(
        postgresql_settings, redis_client):
    migrate(postgresql_settings)
    service = with_manager(build_service(postgresql_settings, redis_client))
    client = create_app(postgresql_settings, service).test_client()
    admin = {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}
    database = postgresql_settings.users_database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(database) as frozen:  # a publisher stopped in the middle of its XADDs
        frozen.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK,))
        started = time.monotonic()
        response = client.post("/api/v1/users", headers=admin, json={"code": "77", "is_student": True})
        took = time.monotonic() - started
        assert response.status_code == 201 and took < ANSWERS_WITHIN, took
        assert redis_client.xlen(EVENT_STREAM) == 0 and pending(service) == 1
        frozen.rollback()
    assert service.publisher.publish_pending(repair=True) == 1
    assert pending(service) == 0
    service.engine.dispose()


def test_a_publisher_frozen_in_the_middle_of_its_xadds_holds_up_no_request(postgresql_settings, redis_client):
    migrate(postgresql_settings)
    service = with_manager(build_service(postgresql_settings, redis_client))
    client = create_app(postgresql_settings, service).test_client()
    admin = {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}
    service.publisher, publisher = None, service.publisher
    create_students(service, "1")  # left pending, for the frozen publisher
    service.publisher = publisher
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers: a SIGSTOPped Redis
        frozen_redis = redis.Redis(port=silent.getsockname()[1], socket_timeout=4, retry=Retry(NoBackoff(), 0))
        frozen = OutboxPublisher(service.session_factory, frozen_redis)
        stuck = threading.Thread(target=frozen.try_publish_pending)
        stuck.start()
        time.sleep(0.5)  # it holds the publishers' turn and waits for Redis
        started = time.monotonic()
        response = client.post("/api/v1/users", headers=admin, json={"code": "77", "is_student": True})
        took = time.monotonic() - started
        stuck.join()
    assert response.status_code == 201 and took < ANSWERS_WITHIN, took
    assert service.publisher.publish_pending(repair=True) == 2
    assert pending(service) == 0
    service.engine.dispose()


def test_a_chunk_waits_for_the_publishers_turn_instead_of_giving_up(postgresql_settings, redis_client):
    migrate(postgresql_settings)
    service = with_manager(build_service(postgresql_settings, redis_client))
    database = postgresql_settings.users_database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(database) as slow:  # another publisher, busy for a second
        slow.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK,))
        threading.Timer(1.0, slow.rollback).start()
        started = time.monotonic()
        result = handlers.apply_user_rows(service.unit_of_work(), chunk_of("1"))
        took = time.monotonic() - started
    assert [row.action for row in result.rows] == ["create"]
    assert 0.9 < took < 3.0 and pending(service) == 0 and len(envelope_ids(redis_client)) == 1
    service.engine.dispose()


def chunk_of(*codes, attempt=1):
    return Chunk("job-1", 0, 0, False, {"mode": "import", "as_student": True, "schedule_project": None},
                 [RowIn(index + 2, {"code": code, "last_name": "Bakker"}) for index, code in enumerate(codes)],
                 actor=MANAGER.to_dict(), attempt=attempt)


def test_a_waiting_publisher_gets_the_turn_as_soon_as_its_holder_ends_with_the_sessions_own_lock_timeout(
        postgresql_settings, redis_client):
    migrate(postgresql_settings)
    service = build_service(postgresql_settings, redis_client)
    database = postgresql_settings.users_database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(database) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK,))
        threading.Timer(0.3, holder.rollback).start()
        started = time.monotonic()
        lock_timeout = service.publisher._take_turn(lambda session: session.execute(text("SHOW lock_timeout")).scalar(),
                                                    lock_wait_seconds=5.0)
        took = time.monotonic() - started
    assert 0.25 < took < 1.0, took  # woken when the holder ended, not after the whole wait
    assert lock_timeout == f"{postgresql_settings.database_limits.lock_timeout_seconds:.0f}s"
    service.engine.dispose()


def test_a_publisher_gives_up_the_turn_after_its_wait_and_publishes_on_its_next_try(postgresql_settings, redis_client):
    migrate(postgresql_settings)
    service = with_manager(build_service(postgresql_settings, redis_client))
    service.publisher, publisher = None, service.publisher
    create_students(service, "1")
    database = postgresql_settings.users_database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(database) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK,))
        started = time.monotonic()
        assert publisher.publish_pending(lock_wait_seconds=0.3) == 0
        took = time.monotonic() - started
        holder.rollback()
    assert 0.25 < took < 1.5, took
    assert pending(service) == 1 and redis_client.xlen(EVENT_STREAM) == 0
    assert publisher.publish_pending() == 1 and pending(service) == 0
    service.engine.dispose()


def test_chunks_published_then_wiped_come_back_in_log_order_with_their_ids_and_replay_sends_them_again(
        settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    for chunk_no, codes in enumerate([("1", "2", "3"), ("4", "5")]):
        chunk = chunk_of(*codes)
        chunk.chunk_no = chunk_no
        handlers.apply_user_rows(service.unit_of_work(), chunk)
    published = envelope_ids(redis_client)
    assert len(published) == 5 and published == log_event_ids(service) and pending(service) == 0

    redis_client.flushall()
    assert service.publisher.publish_pending(repair=True) == 5
    assert envelope_ids(redis_client) == published
    assert service.publisher.replay_since(datetime.now(UTC) - timedelta(hours=1)) == 5
    assert envelope_ids(redis_client) == published + published
    codes = [json.loads(fields[b"event"])["data"]["code"] for _, fields in redis_client.xrange(EVENT_STREAM)]
    assert codes == ["1", "2", "3", "4", "5"] * 2


def test_an_applied_chunk_is_not_answered_while_redis_refuses_its_events(settings, redis_client, redis_url):
    migrate(settings)
    redis_client.acl_setuser("no-xadd", enabled=True, nopass=True, keys=["*"], commands=["+@all", "-xadd"])
    refusing = with_manager(build_service(settings, redis.Redis.from_url(redis_url, username="no-xadd")))
    refusing.publisher.confirm_seconds = 0.5

    with pytest.raises(EventsNotPublished):
        decide_chunk(lambda chunk: handlers.apply_user_rows(refusing.unit_of_work(), chunk), chunk_of("1", "2"))
    assert redis_client.xlen(EVENT_STREAM) == 0 and pending(refusing) == 2

    # The importer sends the chunk again after its timeout: the stored result, now that it is published.
    service = build_service(settings, redis_client)
    result = decide_chunk(lambda chunk: handlers.apply_user_rows(service.unit_of_work(), chunk),
                          chunk_of("1", "2", attempt=2))
    assert [row.action for row in result.rows] == ["create", "create"]
    assert len(envelope_ids(redis_client)) == 2 and pending(service) == 0


def test_portal_events_replay_publishes_the_log_again_since_a_moment(settings, redis_client, monkeypatch, capsys):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    create_students(service, "1")
    since = datetime.now(UTC)
    create_students(service, "2", "3")
    first = envelope_ids(redis_client)
    for name, value in (("USERS_DATABASE_URL", settings.users_database_url), ("REDIS_URL", settings.redis_url),
                        ("PORTAL_DATA_DIR", str(settings.data_dir)), ("PORTAL_SECRET_KEY", settings.secret_key)):
        monkeypatch.setenv(name, value)

    assert cli.main(["events", "replay", "--since", since.isoformat()]) == 0
    assert "2 gebeurtenissen opnieuw gepubliceerd" in capsys.readouterr().out
    assert envelope_ids(redis_client) == first + first[1:]
    assert service.publisher.publish_pending(repair=True) == 0


def test_replay_wants_a_moment_with_its_zone(capsys):
    with pytest.raises(SystemExit):
        cli.main(["events", "replay", "--since", "2026-11-30T08:00:00"])
    assert "geef ook de tijdzone" in capsys.readouterr().err


def test_listing_users_changed_since_a_moment_is_a_subscribers_snapshot(client, admin):
    for code in ("1", "2", "3", "40"):
        client.post("/api/v1/users", headers=admin, json={"code": code, "is_student": code != "40"})
    since = datetime.now(UTC).isoformat()
    for code in ("3", "2", "40"):
        assert client.patch(f"/api/v1/users/{code}", headers=admin, json={"first_name": "Noor"}).status_code == 200

    page = client.get("/api/v1/users", headers=admin, query_string={"changed_since": since, "type": "student",
                                                                     "limit": 1}).json
    assert [user["code"] for user in page["items"]] == ["2"]
    rest = client.get("/api/v1/users", headers=admin, query_string={
        "changed_since": since, "type": "student", "cursor": page["next_cursor"]}).json
    assert [user["code"] for user in rest["items"]] == ["3"]
    everyone = client.get("/api/v1/users", headers=admin, query_string={"changed_since": since}).json
    assert [user["code"] for user in everyone["items"]] == ["2", "3", "40"]


@pytest.mark.parametrize("value", ["yesterday", "2026-01-01T00:00:00"])
def test_changed_since_wants_a_moment_with_its_zone(client, admin, value):
    response = client.get("/api/v1/users", headers=admin, query_string={"changed_since": value})
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_parameter"
