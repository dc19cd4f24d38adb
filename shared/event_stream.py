"""The Redis side of the event log: entry ids, what the stream says of a log, and trimming.

The outbox tables are the record of the events (shared/outbox.py); the stream `portal:events` is a
window on them that Redis may lose (a restart without persistence, a failover to a replica that
lagged). Each log keeps a mark on the stream, `portal:events:last-published:<log>`, set in the same
pipeline right after the entries it covers. Redis applies and replicates commands in order, so a
copy that has the mark has those entries, and a copy that lost entries holds an older mark (or
none): the mark names the newest event of that log the stream holds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis

log = logging.getLogger(__name__)

StreamId = tuple[int, int]  # (milliseconds, sequence): how Redis orders entry ids


def parse_id(entry_id: str | bytes) -> StreamId:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)


def format_id(entry_id: StreamId) -> str:
    return f"{entry_id[0]}-{entry_id[1]}"


def id_at(moment: datetime) -> StreamId:
    """The first id Redis could give an entry added at `moment`."""
    return int(moment.timestamp() * 1000), 0


def marker_key(stream: str, log_name: str) -> str:
    return f"{stream}:last-published:{log_name}"


@dataclass(frozen=True)
class StreamState:
    exists: bool
    last_generated_id: StreamId  # (0, 0) for a stream that does not exist
    marker: str | None  # the log's newest event on the stream, by its outbox row id


def read_state(client: redis.Redis, stream: str, log_name: str) -> StreamState:
    """The stream's last id and the log's mark, in one round trip."""
    pipe = client.pipeline(transaction=False)
    pipe.exists(stream)
    pipe.xinfo_stream(stream)
    pipe.get(marker_key(stream, log_name))
    exists, info, marker = pipe.execute(raise_on_error=False)
    if not exists or isinstance(info, Exception):
        return StreamState(False, (0, 0), _text(marker))
    return StreamState(True, parse_id(info["last-generated-id"]), _text(marker))


def trim_floor(client: redis.Redis, stream: str, retention: timedelta, now: datetime) -> StreamId:
    """The oldest id the stream must keep: no entry a consumer group has not acknowledged (pending,
    or not yet delivered) and none younger than `retention` is below it."""
    floor = id_at(now - retention)
    for group in client.xinfo_groups(stream):
        if group["pending"]:
            summary = client.xpending(stream, group["name"])
            floor = min(floor, parse_id(summary["min"]))
        else:
            delivered = parse_id(group["last-delivered-id"])
            floor = min(floor, (delivered[0], delivered[1] + 1))
    return floor


def trim(client: redis.Redis, stream: str, retention: timedelta, now: datetime) -> int:
    """Remove the entries every group has acknowledged that are older than `retention`; returns
    how many went. A stream that does not exist is left alone."""
    if not client.exists(stream):
        return 0
    floor = trim_floor(client, stream, retention, now)
    removed = client.xtrim(stream, minid=format_id(floor), approximate=False)
    if removed:
        log.info("trimmed %d entries older than %s from %s", removed, format_id(floor), stream)
    return int(removed)


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
