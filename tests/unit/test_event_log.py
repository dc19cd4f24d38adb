"""The outbox as the event log and the stream as its window (fakeredis, an in-memory SQLite): order,
what counts as a lost stream and what is put back, trimming, and confirmed publication."""

import json
from datetime import UTC, datetime, timedelta

import fakeredis
import pytest
import redis
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.users.orm import Base, OutboxRow
from services.users.outbox import OutboxPublisher, SqlAlchemyOutbox
from shared import event_stream
from shared.config import EVENT_STREAM
from shared.events.envelope import Envelope
from shared.failures import INFRASTRUCTURE_ERRORS, EventsNotPublished

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.fixture
def session_factory():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def client():
    return fakeredis.FakeRedis()


def write(session_factory, *codes):
    envelopes = [Envelope.new("student.created", {"code": code}) for code in codes]
    with session_factory() as session, session.begin():
        SqlAlchemyOutbox(session).add_many(envelopes)
    return [envelope.id for envelope in envelopes]


def on_stream(client):
    """(code, envelope id) of each entry, in stream order."""
    events = [json.loads(fields[b"event"]) for _, fields in client.xrange(EVENT_STREAM)]
    return [(event["data"]["code"], event["id"]) for event in events]


def log_rows(session_factory):
    with session_factory() as session:
        return session.execute(select(OutboxRow.event_id, OutboxRow.published_at, OutboxRow.stream_id)
                               .order_by(OutboxRow.id)).all()


def age_by(session_factory, age, event_ids):
    """As if these events had been published `age` ago."""
    with session_factory() as session, session.begin():
        session.execute(update(OutboxRow).where(OutboxRow.event_id.in_(event_ids))
                        .values(published_at=datetime.now(UTC) - age))


def test_published_events_stay_in_the_log_the_last_of_a_batch_marked_with_its_stream_entry(session_factory, client):
    ids = write(session_factory, "1", "2", "3")
    assert OutboxPublisher(session_factory, client).publish_pending() == 3
    assert on_stream(client) == list(zip(["1", "2", "3"], ids, strict=True))
    rows = log_rows(session_factory)
    last_entry = client.xrange(EVENT_STREAM)[-1][0].decode()
    assert [row.stream_id for row in rows] == [None, None, last_entry]
    assert all(row.published_at is not None for row in rows)
    assert OutboxPublisher(session_factory, client).publish_pending() == 0


def test_a_flushed_stream_gets_back_the_events_of_the_retention_window_before_any_new_one(session_factory, client):
    old = write(session_factory, "old")
    publisher = OutboxPublisher(session_factory, client, retention=DAY)
    publisher.publish_pending()
    age_by(session_factory, timedelta(hours=30), old)
    recent = write(session_factory, "a", "b")
    publisher.publish_pending()
    client.flushall()
    new = write(session_factory, "new")

    assert publisher.publish_pending() == 0  # a request's publisher leaves the order to the relay
    assert client.xlen(EVENT_STREAM) == 0
    assert publisher.publish_pending(repair=True) == 3
    assert on_stream(client) == [("a", recent[0]), ("b", recent[1]), ("new", new[0])]
    assert publisher.publish_pending(repair=True) == 0  # put back once


def test_a_stream_that_lost_its_tail_gets_back_the_events_after_its_mark(session_factory, client):
    publisher = OutboxPublisher(session_factory, client)
    kept = write(session_factory, "a", "b")
    publisher.publish_pending()
    lost = write(session_factory, "c", "d")
    publisher.publish_pending()
    # A replica that lagged: it has a and b and the mark that came with them, not c and d.
    for entry_id, _ in client.xrange(EVENT_STREAM)[2:]:
        client.xdel(EVENT_STREAM, entry_id)
    with session_factory() as session:
        b_row = session.scalar(select(OutboxRow.id).where(OutboxRow.event_id == kept[1]))
    client.set(event_stream.marker_key(EVENT_STREAM, "users"), str(b_row))

    assert publisher.publish_pending(repair=True) == 2
    assert on_stream(client) == [("a", kept[0]), ("b", kept[1]), ("c", lost[0]), ("d", lost[1])]
    entries = [entry_id.decode() for entry_id, _ in client.xrange(EVENT_STREAM)]
    # Put back in one batch: d, its last row, names where it is now; the others name nothing.
    assert [row.stream_id for row in log_rows(session_factory)] == [None, entries[1], None, entries[3]]


def test_a_stream_reset_to_a_lower_id_is_taken_for_a_lost_one(session_factory, client):
    publisher = OutboxPublisher(session_factory, client)
    ids = write(session_factory, "a")
    publisher.publish_pending()
    client.delete(EVENT_STREAM)
    client.xadd(EVENT_STREAM, {"event": json.dumps({"id": "x", "data": {"code": "x"}})}, id="1-1")
    # the mark survived, the stream did not

    assert publisher.publish_pending(repair=True) == 1
    assert on_stream(client) == [("x", "x"), ("a", ids[0])]


def test_a_stream_ahead_of_the_log_after_a_crash_is_not_taken_for_a_lost_one(session_factory, client):
    publisher = OutboxPublisher(session_factory, client)
    write(session_factory, "a")
    publisher.publish_pending()
    write(session_factory, "b")
    with session_factory() as session:
        pending_row = session.scalar(select(OutboxRow.id).where(OutboxRow.published_at.is_(None)))
    # The publisher's XADD and mark went through, its commit did not.
    client.set(event_stream.marker_key(EVENT_STREAM, "users"), str(pending_row))

    assert publisher.publish_pending() == 1
    assert [code for code, _ in on_stream(client)] == ["a", "b"]


def test_replay_publishes_again_what_was_published_since_a_moment_in_log_order(session_factory, client):
    publisher = OutboxPublisher(session_factory, client)
    old = write(session_factory, "old")
    publisher.publish_pending()
    age_by(session_factory, timedelta(hours=2), old)
    recent = write(session_factory, "a", "b")
    publisher.publish_pending()

    assert publisher.replay_since(datetime.now(UTC) - timedelta(hours=1)) == 2
    assert on_stream(client)[-2:] == [("a", recent[0]), ("b", recent[1])]
    assert publisher.publish_pending(repair=True) == 0  # the mark follows the replay


def test_an_audit_log_forgets_published_events_after_the_retention_but_the_users_log_keeps_them(
        session_factory, client):
    from shared.outbox import OutboxPublisher as AnyLogPublisher

    old = write(session_factory, "old")
    OutboxPublisher(session_factory, client).publish_pending()
    age_by(session_factory, timedelta(hours=30), old)
    write(session_factory, "pending")
    assert OutboxPublisher(session_factory, client, retention=DAY).purge_published() == 0
    assert len(log_rows(session_factory)) == 2
    audit_log = AnyLogPublisher(session_factory, client, OutboxRow, retention=DAY, log_name="audit")
    assert audit_log.purge_published() == 1
    assert [row.published_at for row in log_rows(session_factory)] == [None]  # the pending one stays


def test_confirmed_publication_gives_up_with_an_infrastructure_error_while_redis_refuses(session_factory):
    server = fakeredis.FakeServer()
    server.connected = False
    publisher = OutboxPublisher(session_factory, fakeredis.FakeRedis(server=server))
    publisher.confirm_seconds = 0.3
    write(session_factory, "a")
    with pytest.raises(EventsNotPublished) as raised:
        publisher.publish_confirmed()
    assert isinstance(raised.value, INFRASTRUCTURE_ERRORS)
    server.connected = True
    publisher.publish_confirmed()
    assert [code for code, _ in on_stream(publisher.client)] == ["a"]


def test_confirmed_publication_returns_at_once_when_nothing_is_pending(session_factory):
    server = fakeredis.FakeServer()
    server.connected = False  # not even asked
    OutboxPublisher(session_factory, fakeredis.FakeRedis(server=server)).publish_confirmed()


# -- trimming --

def add_at(client, moment, count=1):
    milliseconds = int(moment.timestamp() * 1000)
    return [client.xadd(EVENT_STREAM, {"event": "{}"}, id=f"{milliseconds}-{sequence}").decode()
            for sequence in range(count)]


def test_trimming_removes_acknowledged_entries_older_than_the_retention(client):
    old = add_at(client, NOW - timedelta(hours=30), 2)
    young = add_at(client, NOW - timedelta(hours=1))
    client.xgroup_create(EVENT_STREAM, "all-read", id="0")
    client.xreadgroup("all-read", "c", {EVENT_STREAM: ">"})
    client.xack(EVENT_STREAM, "all-read", *old, *young)

    assert event_stream.trim(client, EVENT_STREAM, DAY, NOW) == 2
    assert [entry_id.decode() for entry_id, _ in client.xrange(EVENT_STREAM)] == young


def test_trimming_keeps_what_a_group_has_not_acknowledged_however_old(client):
    first, second, third = add_at(client, NOW - timedelta(hours=30), 3)
    client.xgroup_create(EVENT_STREAM, "slow", id="0")
    client.xreadgroup("slow", "c", {EVENT_STREAM: ">"}, count=2)
    client.xack(EVENT_STREAM, "slow", first)  # `second` delivered, not acknowledged; `third` not delivered

    assert event_stream.trim(client, EVENT_STREAM, timedelta(0), NOW) == 1
    assert [entry_id.decode() for entry_id, _ in client.xrange(EVENT_STREAM)] == [second, third]


def test_trimming_keeps_what_a_group_was_not_given_yet(client):
    first, second = add_at(client, NOW - timedelta(hours=30), 2)
    client.xgroup_create(EVENT_STREAM, "behind", id=first)

    assert event_stream.trim(client, EVENT_STREAM, timedelta(0), NOW) == 1
    assert [entry_id.decode() for entry_id, _ in client.xrange(EVENT_STREAM)] == [second]


def test_trimming_a_stream_that_does_not_exist_creates_none(client):
    assert event_stream.trim(client, EVENT_STREAM, DAY, NOW) == 0
    assert not client.exists(EVENT_STREAM)


def test_a_publisher_whose_redis_refuses_leaves_the_events_pending(session_factory):
    class Refusing(fakeredis.FakeRedis):
        def pipeline(self, transaction=True, shard_hint=None):
            raise redis.ResponseError("NOPERM this user has no permissions to run the 'xadd' command")

    write(session_factory, "a")
    OutboxPublisher(session_factory, Refusing()).try_publish_pending()
    assert log_rows(session_factory)[0].published_at is None


def test_a_request_appends_nothing_to_a_stream_that_lost_its_tail_and_the_relay_puts_the_tail_back_first(
        session_factory, client):
    publisher = OutboxPublisher(session_factory, client)
    kept = write(session_factory, "a", "b")
    publisher.publish_pending()
    lost = write(session_factory, "c", "d")
    publisher.publish_pending()
    for entry_id, _ in client.xrange(EVENT_STREAM)[2:]:  # a replica that lagged: a and b and their mark
        client.xdel(EVENT_STREAM, entry_id)
    with session_factory() as session:
        b_row = session.scalar(select(OutboxRow.id).where(OutboxRow.event_id == kept[1]))
    client.set(event_stream.marker_key(EVENT_STREAM, "users"), str(b_row))
    new = write(session_factory, "e")

    assert publisher.try_publish_pending() is False  # nothing pending may go before c and d are back
    assert on_stream(client) == [("a", kept[0]), ("b", kept[1])]
    assert publisher.publish_pending(repair=True) == 3
    assert on_stream(client) == [("a", kept[0]), ("b", kept[1]), ("c", lost[0]), ("d", lost[1]), ("e", new[0])]
    assert client.get(event_stream.marker_key(EVENT_STREAM, "users")).decode() == str(b_row + 3)


def test_the_append_script_writes_nothing_unless_the_stream_holds_the_log_up_to_the_expected_event(client):
    def append(envelopes, marker, expected=None):
        pipe = client.pipeline(transaction=False)
        event_stream.append(pipe, EVENT_STREAM, "users", envelopes, marker, expected)
        return pipe.execute()[0]

    first = append(["1", "2"], "2")  # nothing expected: the first events of a log
    assert len(first) == 2
    newest = first[-1].decode()
    assert append(["3"], "3", event_stream.Expected("1", newest)) is None  # another mark
    assert append(["3"], "3", event_stream.Expected("2", "99999999999999-0")) is None  # the stream was reset
    assert client.xlen(EVENT_STREAM) == 2 and client.get(event_stream.marker_key(EVENT_STREAM, "users")) == b"2"
    assert len(append(["3"], "3", event_stream.Expected("2", newest))) == 1
    client.delete(EVENT_STREAM)
    assert append(["4"], "4", event_stream.Expected("3", None)) is None  # the stream is gone
    assert client.exists(EVENT_STREAM) == 0
