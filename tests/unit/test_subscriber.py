import pytest

from shared.config import EVENT_STREAM
from shared.events.envelope import EVENT_FIELD, Envelope
from shared.events.subscriber import Subscriber


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
