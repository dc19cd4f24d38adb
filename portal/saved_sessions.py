"""Sessions that `portal login` keeps for later commands, one per portal.

A refresh token stands for a password for up to 12 hours of inactivity, so it is kept like one: in
`$XDG_CONFIG_HOME/portal/sessions.json` (default `~/.config/portal/`), a directory only its owner
may enter (0700) and a file only its owner may read (0600), replaced whole (written beside it, then
renamed) so that a crash leaves the old file or the new one, never half of either.

The portal rotates a refresh token on every use and ends the session when a spent one comes back.
Two commands that refresh the same stored token at once would therefore end their own session, so
every read-change-write of the file, the refresh included, holds an exclusive `flock` on
`sessions.lock` beside it.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

SESSIONS_FILE = "sessions.json"
LOCK_FILE = "sessions.lock"


def config_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".config")
    return Path(base) / "portal"


def portal_key(url: str) -> str:
    """The same portal under one key: `HTTP://Host:8000/` and `http://host:8000` are one."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


class SessionStore:
    """Refresh tokens by portal URL. Call `get`, `put` and `forget` inside `locked()`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.path = directory / SESSIONS_FILE

    @contextmanager
    def locked(self) -> Iterator[None]:
        self._make_directory()
        descriptor = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def get(self, url: str) -> dict[str, Any] | None:
        """The stored session of the portal at url: {"code", "refresh_token"}, or None."""
        entry = self._read().get(portal_key(url))
        return entry if isinstance(entry, dict) and entry.get("refresh_token") else None

    def put(self, url: str, code: str, refresh_token: str) -> None:
        sessions = self._read()
        sessions[portal_key(url)] = {"code": code, "refresh_token": refresh_token}
        self._write(sessions)

    def replace(self, url: str, code: str, refresh_token: str) -> str | None:
        """Store a new session for url; the refresh token of the one it replaces, if any."""
        old = self.get(url)
        self.put(url, code, refresh_token)
        return old["refresh_token"] if old else None

    def forget(self, url: str) -> bool:
        """Remove the portal's session; False when there was none."""
        sessions = self._read()
        if sessions.pop(portal_key(url), None) is None:
            return False
        self._write(sessions)
        return True

    def _read(self) -> dict[str, Any]:
        try:
            sessions = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            return {}  # a damaged file: what it held cannot be used anyway; the next write replaces it
        return sessions if isinstance(sessions, dict) else {}

    def _write(self, sessions: dict[str, Any]) -> None:
        self._make_directory()
        # mkstemp creates the file 0600 before anything is written to it.
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".sessions-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(sessions, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _make_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.directory.stat().st_mode & 0o077:
            self.directory.chmod(0o700)  # made by hand or by an older tool: it holds passwords' equals


def stored_session(environ: Mapping[str, str], url: str) -> StoredSession | None:
    """The session `portal login` stored for the portal at url, if any."""
    store = SessionStore(config_dir(environ))
    if not store.path.exists():
        return None  # nothing to lock: a command never creates the config directory unasked
    with store.locked():
        return StoredSession(store, url) if store.get(url) is not None else None


class Exchange(Protocol):
    """POST /api/v1/auth/refresh: (status, answer)."""

    def __call__(self, refresh_token: str) -> tuple[int, Any]: ...


@dataclass
class Refreshed:
    access_token: str | None  # None: not refreshed
    problem: str | None = None  # why not
    forgotten: bool = False  # the portal refused the session for good, so it was removed from the store


@dataclass
class StoredSession:
    """The session `portal login` stored for one portal, refreshed only under the store's lock, so
    that the token presented is always the newest one and the rotated one is stored at once."""

    store: SessionStore
    url: str

    def refresh(self, exchange: Exchange) -> Refreshed:
        with self.store.locked():
            stored = self.store.get(self.url)
            if stored is None:
                return Refreshed(None, "no session is stored any more: logged out meanwhile", forgotten=True)
            status, answer = exchange(stored["refresh_token"])
            if status == 200 and isinstance(answer, dict) and answer.get("refresh_token"):
                self.store.put(self.url, stored["code"], answer["refresh_token"])
                return Refreshed(answer["access_token"])
            if status in (400, 401):
                self.store.forget(self.url)
                return Refreshed(None, _reason(answer), forgotten=True)
            return Refreshed(None, f"the portal answered {status} {_reason(answer)}")


def _reason(answer: Any) -> str:
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code')}: {str(error.get('message')).rstrip('.')}"
    return str(answer)[:200]
