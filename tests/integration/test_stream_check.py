"""The relay's and the enrollments consumer's healthcheck, against a real Redis."""

import os
import subprocess
import sys

import pytest

from shared.config import EVENT_STREAM
from shared.stream_check import oldest_unread_age


def check(redis_url, *args):
    return subprocess.run([sys.executable, "-m", "shared.stream_check", *args], capture_output=True, text=True,
                          env={**os.environ, "REDIS_URL": redis_url}, timeout=30)


def test_a_group_that_has_read_every_event_is_healthy_and_one_left_behind_is_not(redis_client, redis_url):
    redis_client.xgroup_create(EVENT_STREAM, "readers", id="0", mkstream=True)
    assert oldest_unread_age(redis_client, "readers") is None
    written = redis_client.xadd(EVENT_STREAM, {"event": "{}"})
    written_at = int(written.split(b"-")[0]) / 1000
    assert oldest_unread_age(redis_client, "readers", now=written_at + 90) == pytest.approx(90, abs=0.01)
    assert check(redis_url, "readers").returncode == 0  # written just now

    redis_client.xreadgroup("readers", "one", {EVENT_STREAM: ">"})
    assert oldest_unread_age(redis_client, "readers", now=written_at + 90) is None

    assert check(redis_url, "readers", "--max-age", "-1").returncode == 0  # nothing unread
    redis_client.xadd(EVENT_STREAM, {"event": "{}"})
    failed = check(redis_url, "readers", "--max-age", "-1")  # any unread event is too old
    assert failed.returncode == 1 and "has not read an event" in failed.stderr


def test_a_missing_group_or_an_unreachable_redis_is_unhealthy(redis_client, redis_url):
    missing = check(redis_url, "nobody")
    assert missing.returncode == 1 and "no consumer group nobody" in missing.stderr
    unreachable = check("redis://127.0.0.1:1/0", "readers")
    assert unreachable.returncode == 1 and "unhealthy" in unreachable.stderr
