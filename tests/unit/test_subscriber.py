import threading
import time

import fakeredis
import pytest
from sqlalchemy.exc import OperationalError

from shared.config import EVENT_STREAM
from shared.events.envelope import EVENT_FIELD, Envelope
from shared.events.subscriber import Subscriber, retry_pause


def publish(client, envelope):
    client.xadd(EVENT_STREAM, {EVENT_FIELD: envelope.to_json()})


def student_created(code):
    return Envelope.new("student.created", {"code": code})


def test_a_new_subscriber_replays_the_stream_from_the_start(fake_redis):
    for code in ("1", "2", "3"):
        publish(fake_redis, student_created(code))
    seen = []
    Subscriber(fake_redis, "enrollments", "c1", lambda event: seen.append(event.data["code"])).catch_up()
    assert seen == ["1", "2", "3"]


def test_an_event_published_twice_is_handled_once(fake_redis):
    event = student_created("42")
    publish(fake_redis, event)
    publish(fake_redis, event)
    seen = []
    Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.id)).catch_up()
    assert seen == [event.id]


def test_an_event_whose_handler_failed_is_delivered_again_and_then_handled_once(fake_redis):
    publish(fake_redis, student_created("7"))
    calls = []

    def flaky(envelope):
        calls.append(envelope.id)
        if len(calls) == 1:
            raise RuntimeError("database down")

    subscriber = Subscriber(fake_redis, "g", "c1", flaky)
    with pytest.raises(RuntimeError):
        subscriber.poll()
    assert fake_redis.xpending(EVENT_STREAM, "g")["pending"] == 1
    restarted = Subscriber(fake_redis, "g", "c1", flaky)  # same consumer after a restart
    restarted.catch_up()
    assert len(calls) == 2 and calls[0] == calls[1]
    assert fake_redis.xpending(EVENT_STREAM, "g")["pending"] == 0


def test_an_acknowledged_event_is_not_handled_again_after_a_restart(fake_redis):
    publish(fake_redis, student_created("8"))
    seen = []
    Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.id)).catch_up()
    Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.id)).catch_up()
    assert len(seen) == 1


def test_a_subscriber_that_was_down_catches_up_on_what_it_missed(fake_redis):
    seen = []
    subscriber = Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.data["code"]))
    subscriber.catch_up()
    publish(fake_redis, student_created("9"))
    publish(fake_redis, student_created("10"))
    assert subscriber.catch_up() == 2
    assert seen == ["9", "10"]


def test_groups_are_independent(fake_redis):
    publish(fake_redis, student_created("11"))
    first, second = [], []
    Subscriber(fake_redis, "a", "c", lambda envelope: first.append(envelope.id)).catch_up()
    Subscriber(fake_redis, "b", "c", lambda envelope: second.append(envelope.id)).catch_up()
    assert first == second and len(first) == 1


def test_a_group_that_redis_lost_is_created_again_and_reads_what_the_stream_holds_now(fake_redis):
    publish(fake_redis, student_created("1"))
    seen = []
    subscriber = Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.data["code"]))
    subscriber.catch_up()
    fake_redis.flushall()  # Redis restarted without its data: the stream and the group are gone
    publish(fake_redis, student_created("2"))  # republished or new
    assert subscriber.catch_up() == 1
    assert seen == ["1", "2"]
    assert fake_redis.xpending(EVENT_STREAM, "g")["pending"] == 0


def test_catching_up_to_the_end_creates_a_lost_group_again_and_keeps_its_promise(fake_redis):
    seen = []
    subscriber = Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.data["code"]))
    publish(fake_redis, student_created("1"))
    assert subscriber.catch_up_to_end(timeout=1)
    fake_redis.flushall()
    publish(fake_redis, student_created("2"))  # (an empty stream is tested on a real Redis)
    assert subscriber.catch_up_to_end(timeout=1)
    fake_redis.xgroup_destroy(EVENT_STREAM, "g")  # the group alone is gone
    publish(fake_redis, student_created("3"))
    assert subscriber.catch_up_to_end(timeout=1)
    assert seen == ["1", "2", "3"]


def test_catching_up_reaches_the_new_end_when_redis_lost_its_data_while_it_waited(fake_redis):
    for code in ("1", "2", "3"):
        publish(fake_redis, student_created(code))
    # Another consumer took every entry and died, so this one waits for them to go stale; meanwhile
    # Redis loses its data and only one event is republished.
    fake_redis.xgroup_create(EVENT_STREAM, "g", id="0")
    fake_redis.xreadgroup("g", "dead", {EVENT_STREAM: ">"})
    seen = []
    subscriber = Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.data["code"]))
    original_claim = subscriber._claim_stale

    def wipe_then_claim(stale_ms):
        if not seen:
            fake_redis.flushall()
            publish(fake_redis, student_created("3"))
        original_claim(stale_ms)

    subscriber._claim_stale = wipe_then_claim
    assert subscriber.catch_up_to_end(timeout=2, stale_ms=60_000)
    assert seen == ["3"]


def test_an_idempotent_subscriber_keeps_no_processed_ids_and_deletes_the_set_of_an_older_version(fake_redis):
    fake_redis.sadd(f"{EVENT_STREAM}:processed:g", "an-old-id")
    event = student_created("5")
    publish(fake_redis, event)
    seen = []
    subscriber = Subscriber(fake_redis, "g", "c1", lambda envelope: seen.append(envelope.id), idempotent=True)
    subscriber.catch_up()
    publish(fake_redis, event)  # published a second time: handled again, which changes nothing
    subscriber.catch_up()
    assert seen == [event.id, event.id]
    assert fake_redis.keys(f"{EVENT_STREAM}:processed:*") == []


def test_the_pause_between_failed_attempts_doubles_up_to_five_seconds():
    assert [retry_pause(failures) for failures in range(1, 9)] == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


def test_following_the_stream_outlives_database_and_redis_errors(fake_redis):
    server = fakeredis.FakeServer()
    client = fakeredis.FakeRedis(server=server)
    publish(client, student_created("1"))
    seen, failures = [], ["database", "database"]

    def handler(envelope):
        if failures:
            raise OperationalError("INSERT", {}, Exception(f"{failures.pop()} restarting"))
        seen.append(envelope.data["code"])

    subscriber = Subscriber(client, "g", "c1", handler)
    stop = threading.Event()
    follower = threading.Thread(target=subscriber.run, args=(stop,), kwargs={"block_ms": 50})
    follower.start()
    try:
        wait_for(lambda: seen == ["1"])
        server.connected = False
        time.sleep(0.5)  # several failed reads
        server.connected = True
        client.flushall()  # and Redis came back without its data
        publish(client, student_created("2"))
        wait_for(lambda: seen == ["1", "2"])
        assert follower.is_alive()
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_subscriber_of_some_types_gets_only_those_and_acknowledges_the_rest(fake_redis):
    audit = Envelope.new("audit.recorded", {"id": "a1"})
    naming = Envelope.new("student.updated", {"code": "9", "note": "audit.recorded"})  # names it, is not one
    for envelope in (student_created("1"), audit, naming, student_created("2")):
        publish(fake_redis, envelope)
    fake_redis.xadd(EVENT_STREAM, {EVENT_FIELD: '{"id": "b2", "type" : "audit.recorded", "version": 1, '
                                                '"occurred_at": "2026-11-30T12:00:00Z", "data": {}}'})
    seen = []
    subscriber = Subscriber(fake_redis, "audit", "c1", batch_handler=lambda envelopes: seen.extend(envelopes),
                            idempotent=True, types=frozenset({"audit.recorded"}))
    assert subscriber.catch_up() == 5
    assert [envelope.id for envelope in seen] == [audit.id, "b2"]  # spaced JSON of another writer too
    assert fake_redis.xpending(EVENT_STREAM, "audit")["pending"] == 0
