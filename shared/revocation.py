"""Ended sessions, told to every service within a second, and refused even when Redis is away.

The users service appends the id of every session it ends (archiving, a credential change, a school
function taken away or reduced, logout, a refresh token used twice) to the Redis stream
`portal:revoked-sessions`, after the commit that ended it (its sessions table is the outbox: see
`services/users/sessions.py`). Every API process keeps an in-process copy of the stream's last
16 minutes (an access token lives at most 15), read by a background thread with a blocking XREAD,
so a new entry arrives within milliseconds and the check of a request is one dictionary look-up.

Failing closed: each XREAD that returns (an entry or the end of its 250 ms block) proves the copy
is current. When the last one is older than `stale_after` seconds (Redis down, a partition), the
copy can no longer say that a session was not ended meanwhile, so every request with a token is
refused `503 revocation_unavailable` (with `Retry-After`) until the thread reads again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from shared.errors import ServiceUnavailable, Unauthorized
from shared.redis_client import execute_replicated

log = logging.getLogger(__name__)

REVOCATION_STREAM = "portal:revoked-sessions"
SESSION_FIELD = b"sid"
# An access token lives at most 15 minutes, so an entry older than that (and a margin for clocks)
# can no longer match a token anyone may use.
KEEP_SECONDS = 16 * 60
BLOCK_MS = 250
READ_COUNT = 10_000
STALE_AFTER_SECONDS = 3.0


def publish_revoked(client: redis.Redis, session_ids: list[str]) -> None:
    """Append ended sessions to the stream (trimming what no token can need any more)."""
    if not session_ids:
        return
    oldest = f"{int((time.time() - KEEP_SECONDS) * 1000)}-0"
    pipe = client.pipeline(transaction=False)
    for session_id in session_ids:
        pipe.xadd(REVOCATION_STREAM, {SESSION_FIELD: session_id}, minid=oldest, approximate=False)
    execute_replicated(pipe)  # with a replica: a failover must not bring an ended session back


class RevokedSessions:
    """The in-process copy of the ended sessions, kept current by a daemon thread of this process."""

    def __init__(self, client_factory: Callable[[], redis.Redis], stale_after: float = STALE_AFTER_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.client_factory = client_factory
        self.stale_after = stale_after
        self.clock = clock
        self.revoked: dict[str, float] = {}  # session id -> when it was ended (unix time)
        self.last_read = float("-inf")  # clock() of the last successful read
        self._last_id = "0-0"
        self._next_prune = 0.0
        self._client: redis.Redis | None = None
        self._thread_pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def check(self, session_id: str) -> None:
        """Refuse a token of an ended session (401 token_revoked) or, when the copy is stale, any (503)."""
        self._ensure_thread()
        if self.clock() - self.last_read > self.stale_after:
            raise ServiceUnavailable(
                "revocation_unavailable",
                "The service cannot check sessions right now (its event store is unreachable); try again shortly.")
        if session_id in self.revoked:
            raise Unauthorized("token_revoked", "This session has ended; log in again.")

    def add(self, session_ids: list[str]) -> None:
        """Sessions this process itself ended (and published): refused here without waiting for the read."""
        now = time.time()
        self.revoked.update(dict.fromkeys(session_ids, now))

    def read_once(self, block_ms: int | None = BLOCK_MS) -> None:
        """Read what was appended since the last read (waiting up to `block_ms`); raises on a Redis error."""
        if self._client is None:
            self._client = self.client_factory()
        answer: Any = self._client.xread({REVOCATION_STREAM: self._last_id}, count=READ_COUNT, block=block_ms)
        for _stream, entries in answer or ():
            for entry_id, fields in entries:
                entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                session_id = fields.get(SESSION_FIELD) or fields.get(SESSION_FIELD.decode())
                if session_id is not None:
                    self.revoked[session_id.decode() if isinstance(session_id, bytes) else session_id] = \
                        int(entry_id.split("-")[0]) / 1000
                self._last_id = entry_id
            if len(entries) == READ_COUNT:
                return self.read_once(block_ms=None)  # more is waiting: read it before saying we are current
        self._forget_old()
        self.last_read = self.clock()

    def run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                # Back from a failure, the first read does not wait for news: its answer alone
                # proves the copy current again, so tokens pass as soon as Redis answers.
                self.read_once(block_ms=None if failing else BLOCK_MS)
                if failing:
                    log.warning("reading ended sessions from Redis again")
                failing = False
            except (redis.RedisError, OSError) as error:
                if self._stop.is_set():  # Redis went first on the way down: nothing to warn of
                    return
                if not failing:  # once per outage, not five times a second
                    log.warning("cannot read ended sessions from Redis; tokens are refused (503) until it is "
                                "back: %s", error)
                failing, self._client = True, None
                self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()

    def _ensure_thread(self) -> None:
        # Started on the first request (nothing connects at import time) and again in a forked child.
        if self._thread_pid == os.getpid():
            return
        with self._lock:
            if self._thread_pid != os.getpid():
                self._client = None
                try:
                    self.read_once(block_ms=None)  # the whole stream before the first request is judged
                except (redis.RedisError, OSError) as error:
                    log.warning("cannot read ended sessions from Redis: %s", error)
                    self._client = None
                threading.Thread(target=self.run, name="revoked-sessions", daemon=True).start()
                self._thread_pid = os.getpid()  # last: a request racing this one waits for the first read

    def _forget_old(self) -> None:
        now = time.time()
        if now >= self._next_prune:
            self._next_prune = now + 60
            self.revoked = {sid: at for sid, at in self.revoked.items() if at >= now - KEEP_SECONDS}
