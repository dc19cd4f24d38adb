"""Login throttling (CONTRACT, "Throttling"): after 5 failed logins for one code within 15 minutes, or
30 from one client address, `POST /auth/token` answers `429 too_many_attempts` with `Retry-After`,
even for the right password, until the window has passed. Other codes and addresses go on as usual.

Each code and each address has a sliding-window log of its failures in Redis: a sorted set of
attempts scored by their time in milliseconds, so every API process sees the same counts. One
atomic script per login prunes entries older than the window, refuses when either log is full
(and says when its oldest relevant entry leaves the window), and otherwise records the attempt in
both logs *before* the password is checked. A login that succeeds takes its entry back out (one
more round trip); one that fails leaves it counted. Recording first means that requests racing
in parallel cannot check more passwords than the limit allows.

A successful login clears no earlier failure: the contract counts the failed logins within the
window, and a reset would give a guesser five more tries every time the owner logs in.

Unknown codes are counted like known ones (the code is a key, whether a user has it or not), so a
429 does not tell which codes exist either. An IPv6 client is counted per /64 network, the block
one machine usually gets.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import redis

from shared.errors import ServiceUnavailable, TooManyRequests, Unauthorized

log = logging.getLogger(__name__)

MAX_FAILURES_PER_CODE = 5
MAX_FAILURES_PER_ADDRESS = 30
WINDOW_SECONDS = 15 * 60
KEY_PREFIX = "portal:login-failures:"

Clock = Callable[[], float]  # seconds since the epoch


@dataclass(frozen=True)
class Limits:
    per_code: int = MAX_FAILURES_PER_CODE
    per_address: int = MAX_FAILURES_PER_ADDRESS
    window_seconds: int = WINDOW_SECONDS

    @property
    def window_ms(self) -> int:
        return self.window_seconds * 1000


class FailureLogs(Protocol):
    """Where the failure logs live: `admit` returns 0 and records `member` in every log, or the
    milliseconds until the fullest log has room again (recording nothing); `withdraw` takes a
    recorded member back out."""

    def admit(self, keys: list[str], limits: list[int], now_ms: int, window_ms: int, member: str) -> int: ...

    def withdraw(self, keys: list[str], member: str) -> None: ...


ADMIT_SCRIPT = """
local now, window, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local over = redis.call('ZCARD', key) - tonumber(ARGV[3 + i])
  if over >= 0 then
    local freed = redis.call('ZRANGE', key, over, over, 'WITHSCORES')
    wait = math.max(wait, tonumber(freed[2]) + window - now)
  end
end
if wait > 0 then
  return wait
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
end
return 0
"""


class RedisFailureLogs:
    """The logs in Redis, shared by every API process (keys expire with their last entry)."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self._admit = client.register_script(ADMIT_SCRIPT)

    def admit(self, keys: list[str], limits: list[int], now_ms: int, window_ms: int, member: str) -> int:
        return int(self._admit(keys=keys, args=[now_ms, window_ms, member, *limits]))

    def withdraw(self, keys: list[str], member: str) -> None:
        pipeline = self.client.pipeline(transaction=False)
        for key in keys:
            pipeline.zrem(key, member)
        pipeline.execute()


class MemoryFailureLogs:
    """The same logs in this process's memory: only for a users service started without REDIS_URL
    (every real mode has Redis), where they then count per process."""

    def __init__(self):
        self._logs: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def admit(self, keys: list[str], limits: list[int], now_ms: int, window_ms: int, member: str) -> int:
        with self._lock:
            wait = 0
            for key, limit in zip(keys, limits, strict=True):
                entries = {name: at for name, at in self._logs.get(key, {}).items() if at > now_ms - window_ms}
                self._logs[key] = entries
                over = len(entries) - limit
                if over >= 0:
                    wait = max(wait, sorted(entries.values())[over] + window_ms - now_ms)
            if wait > 0:
                return wait
            for key in keys:
                self._logs[key][member] = now_ms
            return 0

    def withdraw(self, keys: list[str], member: str) -> None:
        with self._lock:
            for key in keys:
                self._logs.get(key, {}).pop(member, None)


class LoginThrottle:
    def __init__(self, logs: FailureLogs, limits: Limits | None = None, clock: Clock = time.time,
                 prefix: str = KEY_PREFIX):
        self.logs, self.limits, self.clock, self.prefix = logs, limits or Limits(), clock, prefix

    @contextmanager
    def attempt(self, code: str, address: str) -> Iterator[None]:
        """Around one password check: refuses at once with `429 too_many_attempts` when the code or
        the address has used up its failures; an `Unauthorized` raised inside counts as a failure,
        anything else (a success, a database error) does not."""
        keys = [f"{self.prefix}code:{code}", f"{self.prefix}address:{address_key(address)}"]
        member = uuid.uuid4().hex
        wait_ms = self._admit(keys, member)
        if wait_ms > 0:
            seconds = max(1, math.ceil(wait_ms / 1000))
            raise TooManyRequests("too_many_attempts",
                                  f"Too many failed logins; try again in {seconds} seconds.",
                                  {"retry_after": seconds}, headers={"Retry-After": str(seconds)})
        try:
            yield
        except Unauthorized:
            raise
        except BaseException:
            self._withdraw(keys, member)
            raise
        self._withdraw(keys, member)

    def _admit(self, keys: list[str], member: str) -> int:
        limits = [self.limits.per_code, self.limits.per_address]
        try:
            return self.logs.admit(keys, limits, int(self.clock() * 1000), self.limits.window_ms, member)
        except redis.RedisError as error:
            # Fail closed: without the counters a guesser would have no limit at all.
            log.error("login refused: the failure counters are unreachable (%s)", type(error).__name__)
            raise ServiceUnavailable("login_unavailable",
                                     "Logging in is not possible right now; try again shortly.") from None

    def _withdraw(self, keys: list[str], member: str) -> None:
        try:
            self.logs.withdraw(keys, member)
        except redis.RedisError as error:
            # The attempt stays counted as a failure until the window passes: the safe side.
            log.warning("a login's attempt stays counted: Redis unreachable (%s)", type(error).__name__)


def address_key(address: str) -> str:
    """IPv4 addresses as they are; IPv6 addresses by their /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def login_throttle(client: redis.Redis | None) -> LoginThrottle:
    """The throttle on `client`'s Redis; in process memory when there is none."""
    return LoginThrottle(RedisFailureLogs(client) if client is not None else MemoryFailureLogs())
