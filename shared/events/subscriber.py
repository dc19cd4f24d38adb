"""Subscribe to `portal:events` with a consumer group: at-least-once delivery, handled once.

A subscriber first re-reads what it was given before but never acknowledged (its own pending
entries, e.g. after a crash), then reads new entries. Each envelope is handed to the handler only
if its id was not processed before, then marked processed, then acknowledged; a crash anywhere
in between leads to redelivery, and the dedupe store keeps the handler from seeing it twice.
For exactly-once effects in a database, give a store that records the id in the same transaction
as the effect (see `ProcessedEvents`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, cast

import redis

from shared.config import EVENT_STREAM
from shared.events.envelope import EVENT_FIELD, Envelope
from shared.faults import crash_point

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], None]


class ProcessedEvents(Protocol):
    def seen(self, event_ids: list[str]) -> list[bool]: ...

    def add(self, event_ids: list[str]) -> None: ...


class RedisProcessedEvents:
    """Processed event ids in a Redis set per consumer group."""

    def __init__(self, client: redis.Redis, group: str, stream: str = EVENT_STREAM):
        self._client = client
        self._key = f"{stream}:processed:{group}"

    def seen(self, event_ids: list[str]) -> list[bool]:
        return [bool(flag) for flag in self._client.smismember(self._key, event_ids)] if event_ids else []

    def add(self, event_ids: list[str]) -> None:
        if event_ids:
            self._client.sadd(self._key, *event_ids)


class Subscriber:
    def __init__(
        self,
        client: redis.Redis,
        group: str,
        consumer: str,
        handler: Handler | None = None,
        processed: ProcessedEvents | None = None,
        stream: str = EVENT_STREAM,
        batch_size: int = 2000,  # an import chunk's worth of events per read and transaction
        batch_handler: Callable[[list[Envelope]], None] | None = None,
    ):
        """Give `handler` (one envelope at a time) or `batch_handler` (every new envelope of a
        read at once, e.g. to write them in one transaction)."""
        if (handler is None) == (batch_handler is None):
            raise ValueError("give either handler or batch_handler")
        self.client = client
        self.group = group
        self.consumer = consumer
        self.handler = handler
        self.batch_handler = batch_handler
        self.processed = processed or RedisProcessedEvents(client, group, stream)
        self.stream = stream
        self.batch_size = batch_size
        self._group_ready = False

    def ensure_group(self) -> None:
        """Create the group at the stream's start, so a new subscriber replays every event."""
        if self._group_ready:
            return
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    def poll(self, block_ms: int | None = None) -> int:
        """Handle one batch: own unacknowledged entries first, else new ones. Returns how many."""
        self.ensure_group()
        handled = self._read_and_handle("0", block_ms=None)
        if handled:
            return handled
        return self._read_and_handle(">", block_ms=block_ms)

    def catch_up(self) -> int:
        """Handle everything published so far; returns when the group has reached the end."""
        total = 0
        while handled := self.poll():
            total += handled
        return total

    def catch_up_to_end(self, timeout: float = 10.0, stale_ms: int = 5000) -> bool:
        """Return once every entry that was on the stream when called has been handled and
        acknowledged by this group (by any of its consumers). Entries another consumer took and
        left unacknowledged for `stale_ms` are claimed and handled here. False on timeout."""
        self.ensure_group()
        end = self._last_entry_id()
        deadline = time.monotonic() + timeout
        while True:
            self.catch_up()
            group = self._group_info()
            if group is not None and _id_at_least(group["last-delivered-id"], end) and group["pending"] == 0:
                return True
            self._claim_stale(stale_ms)
            if time.monotonic() > deadline:
                log.warning("could not catch up with %s within %.0fs", self.stream, timeout)
                return False
            time.sleep(0.02)

    def _last_entry_id(self) -> str:
        last = self.client.xrevrange(self.stream, count=1)
        return _text(last[0][0]) if last else "0-0"

    def _group_info(self) -> dict | None:
        for group in self.client.xinfo_groups(self.stream):
            if _text(group["name"]) == self.group:
                return {"last-delivered-id": _text(group["last-delivered-id"]), "pending": group["pending"]}
        return None

    def _claim_stale(self, stale_ms: int) -> None:
        reply = self.client.xautoclaim(self.stream, self.group, self.consumer, min_idle_time=stale_ms,
                                       start_id="0-0", count=self.batch_size)
        self._handle_entries(reply[1])

    def run(self, stop: threading.Event, block_ms: int = 1000) -> None:
        while not stop.is_set():
            try:
                self.poll(block_ms=block_ms)
            except redis.ConnectionError:
                log.warning("event stream unreachable; retrying")
                stop.wait(1.0)

    def _read_and_handle(self, start: str, block_ms: int | None) -> int:
        reply = self.client.xreadgroup(
            self.group, self.consumer, {self.stream: start}, count=self.batch_size, block=block_ms
        )
        entries = cast(list, reply)[0][1] if reply else []  # [[stream, [(id, fields), ...]]]
        self._handle_entries(entries)
        return len(entries)

    def _handle_entries(self, entries: list) -> None:
        """Handle the envelopes not processed before, mark them, then acknowledge the batch."""
        if not entries:
            return
        envelopes = [Envelope.from_json(fields.get(EVENT_FIELD) or fields.get(EVENT_FIELD.encode()))
                     for _, fields in entries if fields]  # a trimmed entry has no fields
        fresh, ids = [], set()
        for envelope, seen in zip(envelopes, self.processed.seen([envelope.id for envelope in envelopes]), strict=True):
            if not seen and envelope.id not in ids:
                fresh.append(envelope)
                ids.add(envelope.id)
        if self.batch_handler is not None:
            if fresh:
                self.batch_handler(fresh)
            self.processed.add([envelope.id for envelope in fresh])
        elif self.handler is not None:
            for envelope in fresh:
                self.handler(envelope)
                self.processed.add([envelope.id])
        crash_point("subscriber.before_ack")
        self.client.xack(self.stream, self.group, *[entry_id for entry_id, _ in entries])


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _id_at_least(entry_id: str, other: str) -> bool:
    def parts(value: str) -> tuple[int, int]:
        milliseconds, _, sequence = value.partition("-")
        return int(milliseconds), int(sequence or 0)

    return parts(entry_id) >= parts(other)
