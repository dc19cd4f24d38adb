"""A lease in Redis, and a job that runs every few seconds in whichever process holds it.

Every process that could run the job starts a `LeasedSchedule`; one of them holds the lease and
runs the job, the others keep trying. The holder renews the lease on every round, so when it dies
(even by SIGKILL, with nothing released) another process takes the lease over within its time.
The lease is what makes one holder at a time likely, not what makes the job correct: a holder that
stalls longer than the lease may overlap with the next, so the job must be safe to run twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# Extend the lease only while it still holds our token: a holder that stalled past its time must
# not take the lease back from the process that has it now.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


def holder_token() -> str:
    """Says who holds a lease (`GET` it to see): host and process, plus a random part that tells a
    restarted process with the same pid from the one before."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(self, client: redis.Redis, key: str, seconds: float, token: str | None = None):
        self.client = client
        self.key = key
        self.milliseconds = max(1, int(seconds * 1000))
        self.token = token or holder_token()
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def keep(self) -> bool:
        """Renews the lease if we hold it, else takes it if it is free; True while we hold it."""
        if self._renew(keys=[self.key], args=[self.token, self.milliseconds]):
            return True
        return bool(self.client.set(self.key, self.token, nx=True, px=self.milliseconds))

    def release(self) -> None:
        """Frees the lease now if we hold it, so another process need not wait for it to expire."""
        self._release(keys=[self.key], args=[self.token])


class LeasedSchedule:
    """Runs `job` every `every_seconds` in a daemon thread, while `lease` is ours."""

    def __init__(self, lease: Lease, every_seconds: float, job: Callable[[], object], name: str):
        self.lease = lease
        self.every_seconds = every_seconds
        self.job = job
        self.name = name
        self.holding = False
        self._redis_failing = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        try:
            self.lease.release()
        except redis.RedisError:
            pass  # it expires on its own

    def _run(self) -> None:
        while not self._stop.is_set():
            self._round()
            self._stop.wait(self.every_seconds)

    def _round(self) -> None:
        try:
            holding = self.lease.keep()
            self._redis_failing = False
        except redis.RedisError as error:
            holding = False
            if not self._redis_failing:  # once per outage, not every round
                log.warning("%s: Redis unreachable (%s); trying every %ss", self.name, error, self.every_seconds)
            self._redis_failing = True
        if holding != self.holding:
            self.holding = holding
            log.log(logging.INFO if holding else logging.WARNING, "%s: %s the lease %s as %s", self.name,
                    "took" if holding else "lost", self.lease.key, self.lease.token)
        if holding:
            try:
                self.job()
            except Exception:
                log.exception("%s: the job failed; it runs again in %ss", self.name, self.every_seconds)
