"""The one way to reach Redis from a URL: a single server, or the primary that Redis Sentinel names.

`REDIS_URL` is either a plain `redis://` / `rediss://` / `unix://` URL (redis-py's `from_url`), or a
Sentinel URL, the form kombu (Celery's broker) reads with one addition, the name of the monitored
primary as a query parameter:

    sentinel://[[user]:password@]host:port[;sentinel://host:port ...][/db]?master_name=NAME[&sentinel_password=PW]

Every `sentinel://` part names one sentinel (port 26379 when left out). The user, password and
database are the primary's (and its replicas'); they may be written on any part, once or the same on
each. `sentinel_password` is for sentinels that require one (`requirepass` in sentinel.conf).
Clients ask the sentinels for the current primary on every (re)connect, so after a failover they
reach the promoted replica without a restart.

Replication is asynchronous: what the primary acknowledged a moment before it died may not have
reached the replica that takes its place. Writes that must survive a failover (the outbox's events,
the ended sessions) go through `execute_replicated`, which waits (REPLICA_WAIT_MS at most) until a
replica has them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import redis
from redis.client import Pipeline
from redis.sentinel import Sentinel, SentinelConnectionPool

log = logging.getLogger(__name__)

SENTINEL_SCHEME = "sentinel"
DEFAULT_SENTINEL_PORT = 26379
# A sentinel that does not answer must not hang the question "who is the primary?": the next is asked.
SENTINEL_SOCKET_TIMEOUT = 1.0
KNOWN_PARAMETERS = frozenset({"master_name", "sentinel_password"})
SECRET_PARAMETERS = frozenset({"sentinel_password", "password"})  # redis-py's from_url reads ?password= too
# How long a write waits for a replica to confirm it. A replica that does not confirm in time is
# not waited for again for a while: the writes go on unconfirmed rather than each one stalling.
REPLICA_WAIT_MS = 200
UNCONFIRMED_PAUSE_SECONDS = 10.0


@dataclass(frozen=True)
class SentinelUrl:
    sentinels: tuple[tuple[str, int], ...]
    master_name: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None

    def primary_options(self) -> dict[str, Any]:
        """Connection options of the primary: its database and credentials."""
        options: dict[str, Any] = {"db": self.db}
        if self.username:
            options["username"] = self.username
        if self.password:
            options["password"] = self.password
        return options

    def sentinel_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"socket_timeout": SENTINEL_SOCKET_TIMEOUT,
                                   "socket_connect_timeout": SENTINEL_SOCKET_TIMEOUT}
        if self.sentinel_password:
            options["password"] = self.sentinel_password
        return options


def is_sentinel_url(url: str) -> bool:
    return url.strip().lower().startswith(SENTINEL_SCHEME + "://")


def parse_sentinel_url(url: str) -> SentinelUrl:
    """The sentinels, primary name, database and credentials a Sentinel URL names; ValueError says
    what is wrong with one that cannot be used."""
    if not is_sentinel_url(url):
        raise ValueError(f"not a Sentinel URL (it starts with {SENTINEL_SCHEME}://): {redacted(url)}")
    sentinels: list[tuple[str, int]] = []
    found: dict[str, set[Any]] = {"db": set(), "username": set(), "password": set()}
    parameters: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in url.split(";"))):
        parts = urlsplit(part)
        if parts.scheme.lower() != SENTINEL_SCHEME:
            raise ValueError(f"every part of a Sentinel URL starts with {SENTINEL_SCHEME}://, not {parts.scheme}://")
        if not parts.hostname:
            raise ValueError("a part of the Sentinel URL names no host")
        sentinels.append((parts.hostname, parts.port or DEFAULT_SENTINEL_PORT))
        if parts.path.strip("/"):
            found["db"].add(_database(parts.path))
        if parts.username:
            found["username"].add(unquote(parts.username))
        if parts.password:
            found["password"].add(unquote(parts.password))
        parameters.update(parse_qsl(parts.query))
    unknown = set(parameters) - KNOWN_PARAMETERS
    if unknown:
        raise ValueError(f"unknown Sentinel URL parameter(s) {sorted(unknown)}; known: {sorted(KNOWN_PARAMETERS)}")
    if not parameters.get("master_name"):
        raise ValueError("a Sentinel URL names the monitored primary: add ?master_name=NAME")
    for name, values in found.items():
        if len(values) > 1:
            raise ValueError(f"the parts of the Sentinel URL name different values of {name}")
    return SentinelUrl(
        sentinels=tuple(sentinels),
        master_name=parameters["master_name"],
        db=next(iter(found["db"]), 0),
        username=next(iter(found["username"]), None),
        password=next(iter(found["password"]), None),
        sentinel_password=parameters.get("sentinel_password") or None,
    )


def redis_client(url: str, **options: Any) -> redis.Redis:
    """A client of the Redis `url` names (see the module's docstring); `options` are redis-py
    connection options (timeouts). Nothing connects until the first command."""
    if not is_sentinel_url(url):
        return redis.Redis.from_url(url, **options)
    sentinel_url = parse_sentinel_url(url)
    sentinel = Sentinel(list(sentinel_url.sentinels), sentinel_kwargs=sentinel_url.sentinel_options(),
                        **sentinel_url.primary_options(), **options)
    return sentinel.master_for(sentinel_url.master_name)


def execute_replicated(pipe: Pipeline) -> list[Any]:
    """`pipe.execute()`, and on a Sentinel-managed primary only once a replica has the writes
    (Redis WAIT), so that a failover cannot lose what the caller then marks as done."""
    if not isinstance(pipe.connection_pool, SentinelConnectionPool) or _unconfirmed.is_paused():
        return pipe.execute()
    pipe.wait(1, REPLICA_WAIT_MS)
    *answers, confirmed = pipe.execute()
    _unconfirmed.record(confirmed >= 1)
    return answers


class _UnconfirmedPause:
    """After a write no replica confirmed, writes are not waited for during a pause; said once per outage."""

    def __init__(self) -> None:
        self.until = 0.0
        self.unconfirmed = False

    def record(self, confirmed: bool) -> None:
        if confirmed and self.unconfirmed:
            log.warning("a replica confirms the writes again")
        elif not confirmed:
            if not self.unconfirmed:
                log.warning("no replica confirmed the writes within %d ms: until one does (asked every %.0f s), "
                            "writes are not waited for and a failover may lose the last of them",
                            REPLICA_WAIT_MS, UNCONFIRMED_PAUSE_SECONDS)
            self.until = time.monotonic() + UNCONFIRMED_PAUSE_SECONDS
        self.unconfirmed = not confirmed

    def is_paused(self) -> bool:
        return time.monotonic() < self.until


_unconfirmed = _UnconfirmedPause()


def celery_broker(url: str) -> dict[str, Any]:
    """Celery settings for a broker at `url`: `broker_url`, and for Sentinel the transport options
    kombu's Sentinel transport needs (merge your own `broker_transport_options` into them)."""
    if not is_sentinel_url(url):
        return {"broker_url": url, "broker_transport_options": {}}
    sentinel_url = parse_sentinel_url(url)
    # kombu takes the credentials and database from the first part; every part carries them.
    userinfo = _userinfo(sentinel_url.username, sentinel_url.password)
    broker_url = ";".join(f"{SENTINEL_SCHEME}://{userinfo}{host}:{port}/{sentinel_url.db}"
                          for host, port in sentinel_url.sentinels)
    return {"broker_url": broker_url, "broker_transport_options": {
        "master_name": sentinel_url.master_name,
        "sentinel_kwargs": sentinel_url.sentinel_options(),
    }}


def primary_url(url: str) -> str:
    """A plain `redis://` URL of the server that is the primary now (asks the sentinels), for tools
    such as redis-cli that know nothing of Sentinel; a plain URL as it is."""
    if not is_sentinel_url(url):
        return url
    sentinel_url = parse_sentinel_url(url)
    sentinel = Sentinel(list(sentinel_url.sentinels), sentinel_kwargs=sentinel_url.sentinel_options())
    try:
        host, port = sentinel.discover_master(sentinel_url.master_name)
    finally:
        sentinel.close()
    userinfo = _userinfo(sentinel_url.username, sentinel_url.password)
    return f"redis://{userinfo}{host}:{port}/{sentinel_url.db}"


def redacted(url: str) -> str:
    """The URL as it may be printed or logged: every password left out."""
    def without_secrets(part: str) -> str:
        address, _, query = part.partition("?")
        netloc = urlsplit(address).netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            address = address.replace(netloc, f"{user}@{host}" if user else host, 1)
        kept = [(key, value) for key, value in parse_qsl(query) if key not in SECRET_PARAMETERS]
        return address + ("?" + "&".join(f"{key}={value}" for key, value in kept) if kept else "")

    return ";".join(without_secrets(part) for part in url.split(";"))


def _database(path: str) -> int:
    try:
        return int(path.strip("/"))
    except ValueError:
        raise ValueError(f"the database of a Redis URL is a number, not {path.strip('/')!r}") from None


def _userinfo(username: str | None, password: str | None) -> str:
    if not username and not password:
        return ""
    return f"{quote(username or '', safe='')}:{quote(password or '', safe='')}@"
