"""Healthcheck of a process that follows the event stream in a consumer group (the relay's audit
collector, the enrollments consumer): `python -m shared.stream_check GROUP`.

Healthy while no event has waited longer than --max-age seconds without being read by the group.
Exits 1, saying why, when one has, when the group does not exist or when Redis cannot be reached;
0 otherwise. Reads REDIS_URL; writes nothing to Redis.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import redis

from shared.config import EVENT_STREAM
from shared.redis_client import redis_client

DEFAULT_MAX_AGE_SECONDS = 60.0


def oldest_unread_age(client: redis.Redis, group: str, stream: str = EVENT_STREAM,
                      now: float | None = None) -> float | None:
    """Seconds the oldest event not yet read by `group` has waited; None when it has read them all.
    Raises LookupError when the group does not exist."""
    groups = client.xinfo_groups(stream) if client.exists(stream) else []
    found = [info for info in groups if _bytes(info["name"]) == group.encode()]
    if not found:
        raise LookupError(f"no consumer group {group} on {stream}")
    last_read = found[0]["last-delivered-id"]
    unread = client.xrange(stream, min=b"(" + _bytes(last_read), count=1)
    if not unread:
        return None
    written_ms = int(_bytes(unread[0][0]).split(b"-")[0])
    return max(0.0, (time.time() if now is None else now) - written_ms / 1000)


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.stream_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("group")
    parser.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE_SECONDS)
    args = parser.parse_args(argv)
    client = redis_client(os.environ["REDIS_URL"], socket_timeout=5, socket_connect_timeout=5)
    try:
        age = oldest_unread_age(client, args.group)
    except (redis.RedisError, LookupError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    if age is not None and age > args.max_age:
        print(f"unhealthy: group {args.group} has not read an event written {age:.0f} s ago", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
