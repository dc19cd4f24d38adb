"""The transactional outbox against real databases and a real Redis: nothing committed is lost."""

import json

import redis
from sqlalchemy import func, select

from services.users import handlers
from services.users.bootstrap import build_service, migrate
from services.users.commands import CreateUser, UpdateUser
from services.users.orm import OutboxRow
from services.users.outbox import OutboxPublisher
from shared.config import EVENT_STREAM
from tests.integration.conftest import MANAGER, with_manager
from tests.services import free_port


def stream_types_and_codes(client):
    events = [json.loads(fields[b"event"]) for _, fields in client.xrange(EVENT_STREAM)]
    return [(event["type"], event["data"]["code"]) for event in events]


def pending_count(service):
    with service.session_factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.published_at.is_(None)))


def test_an_event_committed_but_never_published_is_published_by_the_relay_once(settings, redis_client):
    migrate(settings)
    crashed = with_manager(build_service(settings, redis_client))
    crashed.publisher = None  # the process died between commit and publish
    handlers.create_user(crashed.unit_of_work(), CreateUser.from_json({"code": "123456", "is_student": True}), MANAGER)
    assert redis_client.xlen(EVENT_STREAM) == 0 and pending_count(crashed) == 1

    relay = OutboxPublisher(crashed.session_factory, redis_client)
    assert relay.publish_pending() == 1
    assert relay.publish_pending() == 0
    assert stream_types_and_codes(redis_client) == [("student.created", "123456")]
    assert pending_count(crashed) == 0


def test_a_students_events_reach_the_stream_in_commit_order(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    service.publisher = None
    uow = service.unit_of_work
    handlers.create_user(uow(), CreateUser.from_json({"code": "1", "is_student": True}), MANAGER)
    handlers.update_user(uow(), UpdateUser.from_json("1", {"first_name": "Noor"}), MANAGER)
    handlers.create_user(uow(), CreateUser.from_json({"code": "2", "is_student": True}), MANAGER)
    handlers.update_user(uow(), UpdateUser.from_json("1", {"archived": True}), MANAGER)
    OutboxPublisher(service.session_factory, redis_client).publish_pending()
    assert stream_types_and_codes(redis_client) == [
        ("student.created", "1"), ("student.updated", "1"), ("student.created", "2"), ("student.updated", "1"),
    ]


def test_a_redis_outage_keeps_the_request_working_and_the_event_in_the_outbox(settings, redis_client):
    migrate(settings)
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    service = with_manager(build_service(settings, unreachable))
    command = CreateUser.from_json({"code": "31", "is_student": True})
    user = handlers.create_user(service.unit_of_work(), command, MANAGER)
    assert user["code"] == "31" and pending_count(service) == 1
    OutboxPublisher(service.session_factory, redis_client).publish_pending()
    assert stream_types_and_codes(redis_client) == [("student.created", "31")]
