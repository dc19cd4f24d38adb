"""The in-process copy of ended sessions every service checks tokens against (fakeredis)."""

import fakeredis
import pytest
import redis

from shared.errors import ServiceUnavailable, Unauthorized
from shared.revocation import REVOCATION_STREAM, RevokedSessions, publish_revoked


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def copy_of(client, clock):
    revoked = RevokedSessions(lambda: client, clock=clock)
    revoked._thread_pid = -1  # no thread: the test reads by hand
    revoked._ensure_thread = lambda: None
    return revoked


def test_an_ended_session_is_refused_once_read_and_others_pass():
    client, clock = fakeredis.FakeRedis(), Clock()
    revoked = copy_of(client, clock)
    revoked.read_once(block_ms=None)
    revoked.check("live")
    publish_revoked(client, ["stolen"])
    revoked.read_once(block_ms=None)
    with pytest.raises(Unauthorized) as refused:
        revoked.check("stolen")
    assert refused.value.code == "token_revoked"
    revoked.check("live")


def test_a_new_copy_reads_everything_ended_before_it_started():
    client, clock = fakeredis.FakeRedis(), Clock()
    publish_revoked(client, ["a", "b"])
    revoked = copy_of(client, clock)
    revoked.read_once(block_ms=None)
    assert set(revoked.revoked) == {"a", "b"}


def test_a_copy_never_read_refuses_every_token_with_503():
    revoked = copy_of(fakeredis.FakeRedis(), Clock())
    with pytest.raises(ServiceUnavailable) as refused:
        revoked.check("live")
    assert refused.value.code == "revocation_unavailable" and refused.value.headers["Retry-After"]


def test_a_copy_older_than_three_seconds_fails_closed_and_recovers_with_the_next_read():
    client, clock = fakeredis.FakeRedis(), Clock()
    revoked = copy_of(client, clock)
    revoked.read_once(block_ms=None)
    clock.now += 2.9
    revoked.check("live")
    clock.now += 0.2
    with pytest.raises(ServiceUnavailable):
        revoked.check("live")
    revoked.read_once(block_ms=None)
    revoked.check("live")


def test_redis_going_away_makes_the_read_fail_so_the_copy_goes_stale():
    server = fakeredis.FakeServer()
    client, clock = fakeredis.FakeRedis(server=server), Clock()
    revoked = copy_of(client, clock)
    revoked.read_once(block_ms=None)
    server.connected = False
    with pytest.raises(redis.ConnectionError):
        revoked.read_once(block_ms=None)
    clock.now += 3.1
    with pytest.raises(ServiceUnavailable):
        revoked.check("live")


def test_the_stream_keeps_only_what_a_token_can_still_need():
    client = fakeredis.FakeRedis()
    old_id = "1000-0"  # 1970: far older than any token
    client.xadd(REVOCATION_STREAM, {"sid": "ancient"}, id=old_id)
    publish_revoked(client, ["recent"])
    assert [fields[b"sid"] for _, fields in client.xrange(REVOCATION_STREAM)] == [b"recent"]
