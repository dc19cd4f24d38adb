"""Subscribe to `portal:events` with a consumer group: at-least-once delivery, handled once.

A subscriber first re-reads what it was given before but never acknowledged (its own pending
entries, e.g. after a crash), then reads new entries. Each envelope is handed to the handler only
if its id was not processed before, then marked processed, then acknowledged; a crash anywhere
in between leads to redelivery, and the dedupe store keeps the handler from seeing it twice.
For exactly-once effects in a database, give a store that records the id in the same transaction
as the effect (see `ProcessedEvents`); a handler whose effect is the same however often an event is
applied needs no store at all (`idempotent=True`).

Faults: a group that vanished (Redis wiped by FLUSHALL, or restarted without its data) is created
again at the stream's start, so the subscriber reads whatever the stream holds now; `run` retries
Redis and database errors with a capped backoff and never gives up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, cast

import redis
from sqlalchemy.exc import DBAPIError

from shared.config import EVENT_STREAM
from shared.events.envelope import EVENT_FIELD, Envelope
from shared.faults import crash_point

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], None]

# What `run` outlives: Redis away, restarting or loading its data, and any error the database driver
# raises (PostgreSQL restarting, a connection terminated, a network cut). The entries of a failed
# batch stay pending and are read again first.
RETRIED_ERRORS = (redis.RedisError, OSError, DBAPIError)
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 5.0
LAG_COUNT_LIMIT = 10_000  # entries counted when Redis does not know a group's lag


class ProcessedEvents(Protocol):
    def seen(self, event_ids: list[str]) -> list[bool]: ...

    def add(self, event_ids: list[str]) -> None: ...


class RedisProcessedEvents:
    """Processed event ids in a Redis set per consumer group."""

    def __init__(self, client: redis.Redis, group: str, stream: str = EVENT_STREAM):
        self._client = client
        self._key = processed_ids_key(stream, group)

    def seen(self, event_ids: list[str]) -> list[bool]:
        return [bool(flag) for flag in self._client.smismember(self._key, event_ids)] if event_ids else []

    def add(self, event_ids: list[str]) -> None:
        if event_ids:
            self._client.sadd(self._key, *event_ids)


class _NothingRecorded:
    """The store of an idempotent handler: every envelope is handed over, nothing is recorded."""

    def seen(self, event_ids: list[str]) -> list[bool]:
        return [False] * len(event_ids)

    def add(self, event_ids: list[str]) -> None:
        pass


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
        idempotent: bool = False,
        types: frozenset[str] | None = None,
    ):
        """Give `handler` (one envelope at a time) or `batch_handler` (every new envelope of a
        read at once, e.g. to write them in one transaction).

        `types`: only envelopes of these types are handed over; the others are acknowledged
        without being decoded when their text does not even name a wanted type (the audit
        collector reads a stream that is mostly student events).

        `idempotent=True` says that handling an envelope again changes nothing (an upsert that
        keeps the newest state, an insert keyed by the event's own id), so no processed ids are
        kept anywhere: a redelivery is simply handled again. The Redis set an older version kept
        for the group is deleted when the group is first used."""
        if (handler is None) == (batch_handler is None):
            raise ValueError("give either handler or batch_handler")
        if idempotent and processed is not None:
            raise ValueError("an idempotent handler needs no processed store")
        self.client = client
        self.group = group
        self.consumer = consumer
        self.handler = handler
        self.batch_handler = batch_handler
        self.idempotent = idempotent
        self.processed: ProcessedEvents = (_NothingRecorded() if idempotent
                                           else processed or RedisProcessedEvents(client, group, stream))
        self.stream = stream
        self.batch_size = batch_size
        self._group_ready = False
        self._old_processed_ids_deleted = False
        self.types = types
        # A JSON text of an envelope of type T holds "T" as such: encoders escape no letter or dot.
        self._type_names = None if types is None else tuple(f'"{name}"' for name in types)
        self._type_names_raw = tuple(name.encode() for name in self._type_names or ())

    def ensure_group(self) -> None:
        """Create the group at the stream's start, so a new subscriber replays every event (and one
        whose group vanished reads whatever the stream holds now)."""
        if self._group_ready:
            return
        self._delete_old_processed_ids()
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
            created = True
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
            created = False
        self._group_ready = True
        if created:
            log.info("created consumer group %s on %s at its start", self.group, self.stream)

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
        end = _last_entry_id(self.client, self.stream)
        deadline = time.monotonic() + timeout
        while True:
            self.catch_up()
            group = _group_info(self.client, self.stream, self.group)
            # When Redis lost its data meanwhile, the stream holds only what was published (or
            # republished) since: its own end is then the end to reach.
            end = min(end, _last_entry_id(self.client, self.stream), key=_id_parts)
            if group is None:
                self._group_ready = False
                self.ensure_group()
            elif _id_at_least(_text(group["last-delivered-id"]), end) and group["pending"] == 0:
                return True
            else:
                self._claim_stale(stale_ms)
            if time.monotonic() > deadline:
                log.warning("could not catch up with %s within %.0fs", self.stream, timeout)
                return False
            time.sleep(0.02)

    def _claim_stale(self, stale_ms: int) -> None:
        reply = self._in_group(lambda: self.client.xautoclaim(
            self.stream, self.group, self.consumer, min_idle_time=stale_ms, start_id="0-0", count=self.batch_size))
        self._handle_entries(reply[1])

    def run(self, stop: threading.Event, block_ms: int = 1000) -> None:
        """Follow the stream until `stop` is set. Redis and database errors are logged and retried
        after a pause that doubles from `RETRY_FIRST_SECONDS` up to `RETRY_MAX_SECONDS`; nothing
        but `stop` ends it."""
        failures = 0
        while not stop.is_set():
            try:
                self.poll(block_ms=block_ms)
            except RETRIED_ERRORS as error:
                failures += 1
                pause = retry_pause(failures)
                log.warning("following %s failed (%s: %s); attempt %d, next in %.1fs",
                            self.stream, type(error).__name__, _first_line(error), failures, pause)
                stop.wait(pause)
                continue
            if failures:
                log.warning("following %s again after %d failed attempts", self.stream, failures)
                failures = 0

    def _read_and_handle(self, start: str, block_ms: int | None) -> int:
        reply = self._in_group(lambda: self.client.xreadgroup(
            self.group, self.consumer, {self.stream: start}, count=self.batch_size, block=block_ms))
        entries = cast(list, reply)[0][1] if reply else []  # [[stream, [(id, fields), ...]]]
        self._handle_entries(entries)
        return len(entries)

    def _in_group(self, command: Callable[[], Any]) -> Any:
        """Run a group command; when Redis says the group is gone (NOGROUP), create it again at the
        stream's start and run the command once more."""
        try:
            return command()
        except redis.ResponseError as error:
            if not str(error).startswith("NOGROUP"):
                raise
            log.warning("consumer group %s is gone from %s (Redis lost its data?); creating it again",
                        self.group, self.stream)
            self._group_ready = False
            self.ensure_group()
            return command()

    def _delete_old_processed_ids(self) -> None:
        if self.idempotent and not self._old_processed_ids_deleted:
            self.client.delete(processed_ids_key(self.stream, self.group))
            self._old_processed_ids_deleted = True

    def _may_be_wanted(self, text: str | bytes) -> bool:
        if isinstance(text, bytes):
            return any(name in text for name in self._type_names_raw)
        return any(name in text for name in self._type_names or ())

    def _handle_entries(self, entries: list) -> None:
        """Handle the envelopes not processed before, mark them, then acknowledge the batch."""
        if not entries:
            return
        texts = [fields.get(EVENT_FIELD) or fields.get(EVENT_FIELD.encode())
                 for _, fields in entries if fields]  # a trimmed entry has no fields
        if self._type_names is not None:
            texts = [text for text in texts if self._may_be_wanted(text)]
        envelopes = [Envelope.from_json(text) for text in texts]
        if self.types is not None:
            envelopes = [envelope for envelope in envelopes if envelope.type in self.types]
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
        # A group that vanished meanwhile acknowledges nothing (0); created again, it delivers these anew.
        self.client.xack(self.stream, self.group, *[entry_id for entry_id, _ in entries])


def group_position(client: redis.Redis, group: str, stream: str = EVENT_STREAM) -> dict[str, Any] | None:
    """Where `group` is on `stream`: `last_delivered_id`, `pending` (delivered, not acknowledged)
    and `lag` (entries not delivered to the group yet); None when there is no such group.

    Redis' own `lag` (XINFO GROUPS, Redis 7) is nil after it reloaded its append-only file, after a
    trim or deletion, and absent before Redis 7; it is then counted here: the entries after
    last-delivered-id, up to `LAG_COUNT_LIMIT` (`lag_is_lower_bound` says when it stopped there). A
    group that has been given the stream's last entry has no lag, whatever Redis says."""
    found = _group_info(client, stream, group)
    if found is None:
        return None
    delivered = _text(found["last-delivered-id"])
    position = {"group": group, "last_delivered_id": delivered, "pending": found["pending"], "lag": 0,
                "lag_is_lower_bound": False}
    if _id_at_least(delivered, _last_entry_id(client, stream)):
        return position
    if isinstance(found.get("lag"), int) and found["lag"] > 0:
        position["lag"] = found["lag"]
        return position
    counted, start = 0, f"({delivered}"
    while counted < LAG_COUNT_LIMIT:
        page = client.xrange(stream, min=start, count=min(1000, LAG_COUNT_LIMIT - counted))
        if not page:
            break
        counted += len(page)
        start = f"({_text(page[-1][0])}"
    position["lag"], position["lag_is_lower_bound"] = counted, counted >= LAG_COUNT_LIMIT
    return position


def _group_info(client: redis.Redis, stream: str, group: str) -> dict[str, Any] | None:
    """XINFO GROUPS' answer for `group`; None when there is no such group or no stream at all."""
    try:
        groups = client.xinfo_groups(stream)
    except redis.ResponseError as error:
        if "no such key" not in str(error):
            raise
        return None  # the stream itself is gone with Redis' data
    return next((info for info in groups if _text(info["name"]) == group), None)


def _last_entry_id(client: redis.Redis, stream: str) -> str:
    last = client.xrevrange(stream, count=1)
    return _text(last[0][0]) if last else "0-0"


def retry_pause(failures: int) -> float:
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** (failures - 1))


def processed_ids_key(stream: str, group: str) -> str:
    return f"{stream}:processed:{group}"


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [""])[0]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _id_parts(entry_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


def _id_at_least(entry_id: str, other: str) -> bool:
    return _id_parts(entry_id) >= _id_parts(other)
