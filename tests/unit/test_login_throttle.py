"""Login throttling as the contract says: 5 failures per code, 30 per client address, 15 minutes, on
fakeredis (the real script) and on the in-memory logs, with a clock the tests move."""

from __future__ import annotations

import pytest

from services.users.throttle import (
    LoginThrottle,
    MemoryFailureLogs,
    RedisFailureLogs,
    address_key,
)
from shared.errors import ServiceUnavailable, TooManyRequests, Unauthorized

WINDOW = 15 * 60


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["redis", "memory"])
def throttle(request, fake_redis, clock):
    logs = RedisFailureLogs(fake_redis) if request.param == "redis" else MemoryFailureLogs()
    return LoginThrottle(logs, clock=clock, prefix="test-throttle:")


def fail(throttle, code="admin", address="192.0.2.1"):
    with pytest.raises(Unauthorized), throttle.attempt(code, address):
        raise Unauthorized("invalid_credentials", "The code or the password is wrong.")


def succeed(throttle, code="admin", address="192.0.2.1"):
    with throttle.attempt(code, address):
        pass


def refused(throttle, code="admin", address="192.0.2.1") -> TooManyRequests:
    with pytest.raises(TooManyRequests) as refusal, throttle.attempt(code, address):
        pytest.fail("the password was checked while throttled")
    return refusal.value


def test_five_failures_for_a_code_refuse_the_sixth_attempt_even_with_the_right_password(throttle, clock):
    for _ in range(5):
        fail(throttle)
        clock.now += 10
    refusal = refused(throttle)
    assert refusal.status == 429 and refusal.code == "too_many_attempts"
    assert refusal.headers["Retry-After"] == str(WINDOW - 50)  # until the first failure leaves the window
    assert refusal.details == {"retry_after": WINDOW - 50}


def test_four_failures_leave_the_code_open(throttle, clock):
    for _ in range(4):
        fail(throttle)
    succeed(throttle)


def test_other_codes_are_not_affected_by_a_throttled_code(throttle):
    for address in (f"192.0.2.{index}" for index in range(5)):
        fail(throttle, "admin", address)
    refused(throttle, "admin", "198.51.100.7")  # the code is throttled from every address
    succeed(throttle, "123456", "192.0.2.1")


def test_the_code_opens_again_when_its_failures_leave_the_window(throttle, clock):
    for _ in range(5):
        fail(throttle)
    clock.now += WINDOW - 1
    assert refused(throttle).headers["Retry-After"] == "1"
    clock.now += 1
    succeed(throttle)


def test_the_window_slides_one_failure_at_a_time(throttle, clock):
    fail(throttle)
    clock.now += 300
    for _ in range(4):
        fail(throttle)
    clock.now += WINDOW - 300  # the first failure has left the window, the other four have not
    fail(throttle)
    assert refused(throttle).headers["Retry-After"] == "300"


def test_thirty_failures_from_one_address_refuse_it_for_every_code(throttle, clock):
    for index in range(30):
        fail(throttle, f"guess-{index}", "203.0.113.9")
    refusal = refused(throttle, "admin", "203.0.113.9")
    assert int(refusal.headers["Retry-After"]) == WINDOW
    succeed(throttle, "admin", "203.0.113.10")  # another address is not affected
    clock.now += WINDOW
    succeed(throttle, "admin", "203.0.113.9")


def test_unknown_codes_are_counted_like_known_ones(throttle):
    for _ in range(5):
        fail(throttle, "nobody-has-this-code")
    refused(throttle, "nobody-has-this-code")


def test_a_refused_attempt_is_no_failure_and_does_not_lengthen_the_wait(throttle, clock):
    for _ in range(5):
        fail(throttle)
    for _ in range(50):
        clock.now += 1
        refused(throttle)
    clock.now += WINDOW - 50
    succeed(throttle)
    succeed(throttle, "other", "192.0.2.1")  # nor did the 50 refusals count against the address


def test_a_success_clears_no_earlier_failure(throttle):
    for _ in range(4):
        fail(throttle)
    succeed(throttle)
    fail(throttle)
    refused(throttle)


def test_an_error_that_is_no_failed_login_is_not_counted(throttle):
    for _ in range(10):
        with pytest.raises(RuntimeError), throttle.attempt("admin", "192.0.2.1"):
            raise RuntimeError("the database went away")
    succeed(throttle)


def test_ipv6_clients_are_counted_per_64_network(throttle):
    for host in range(30):
        fail(throttle, f"guess-{host}", f"2001:db8:1:2::{host:x}")
    refused(throttle, "admin", "2001:db8:1:2:ffff::1")
    succeed(throttle, "admin", "2001:db8:1:3::1")
    assert address_key("2001:db8:1:2:abcd::9") == "2001:db8:1:2::/64"
    assert address_key("192.0.2.1") == "192.0.2.1"


def test_the_counters_expire_in_redis_with_their_window(fake_redis, clock):
    throttle = LoginThrottle(RedisFailureLogs(fake_redis), clock=clock, prefix="test-throttle:")
    fail(throttle)
    assert 0 < fake_redis.pttl("test-throttle:code:admin") <= WINDOW * 1000
    assert fake_redis.zcard("test-throttle:address:192.0.2.1") == 1
    succeed(throttle, "other", "192.0.2.2")
    assert not fake_redis.exists("test-throttle:code:other")  # a success leaves nothing counted


def test_unreachable_counters_refuse_the_login_rather_than_skip_the_limit(clock):
    import redis

    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    throttle = LoginThrottle(RedisFailureLogs(unreachable), clock=clock)
    with pytest.raises(ServiceUnavailable) as refusal, throttle.attempt("admin", "192.0.2.1"):
        pytest.fail("the password was checked without counters")
    assert refusal.value.status == 503 and refusal.value.code == "login_unavailable"
