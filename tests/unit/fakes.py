"""Hand-written fakes of the users service's persistence, for handler tests without I/O."""

from __future__ import annotations

import copy
import secrets
from datetime import timedelta

from services.users.domain import (
    BUILTIN_FUNCTIONS,
    MANAGER_FUNCTION,
    REFRESH_IDLE_SECONDS,
    TYPE_FLAGS,
    SchoolFunction,
    StoredSession,
    User,
    copy_user,
    user_exists,
)
from services.users.sessions import hash_refresh_token
from shared.policy import Actor, is_active_manager
from shared.rights import RIGHTS
from shared.sealing import Sealer

# The application manager every fake starts with, and who acts in handler tests.
MANAGER = Actor("admin", frozenset(RIGHTS))


class FakeUserRepository:
    def __init__(self):
        self.users: dict[str, User] = {MANAGER.code: User(MANAGER.code, is_employee=True,
                                                          school_functions={MANAGER_FUNCTION})}
        self._functions = {
            code: SchoolFunction(code, name, tuple(rights)) for code, (name, rights) in BUILTIN_FUNCTIONS.items()
        }

    def get(self, code, for_update=False):
        user = self.users.get(code)
        return copy_user(user) if user else None

    def add(self, user):
        if user.code in self.users:
            raise user_exists(user.code)
        self.users[user.code] = copy_user(user)

    def save(self, user):
        self.users[user.code] = copy_user(user)

    def list_users(self, user_type=None, archived=None, text=None, after_code=None, limit=100, changed_since=None):
        users = sorted(self.users.values(), key=lambda user: user.code)
        if changed_since is not None:
            users = [user for user in users if user.updated_at >= changed_since]
        if user_type:
            users = [user for user in users if getattr(user, TYPE_FLAGS[user_type])]
        if archived is not None:
            users = [user for user in users if user.archived == archived]
        if after_code is not None:
            users = [user for user in users if user.code > after_code]
        return [copy_user(user) for user in users[:limit]]

    def active_manager_codes(self, for_update=False):
        return {code for code, user in self.users.items() if is_active_manager(user)}

    def functions(self):
        return sorted(self._functions.values(), key=lambda function: function.code)

    def get_function(self, code):
        return self._functions.get(code)

    def put_function(self, function):
        self._functions[function.code] = function


class FakeOutbox:
    def __init__(self):
        self.pending = []

    def add(self, envelope):
        self.pending.append(envelope)


class FakeAuditTrail:
    def __init__(self):
        self.entries = []

    def add(self, entry):
        self.add_many([entry])

    def add_many(self, entries):
        known = {entry.id for entry in self.entries}
        self.entries.extend(entry for entry in entries if entry.id not in known)

    def list(self, actor=None, target=None, action=None, since=None, before=None, limit=100):
        found = sorted(self.entries, key=lambda entry: (entry.at, entry.id), reverse=True)
        found = [entry for entry in found
                 if actor in (None, entry.actor) and target in (None, entry.target)
                 and action in (None, entry.action) and (since is None or entry.at >= since)
                 and (before is None or (entry.at, entry.id) < tuple(before))]
        return found[:limit]

    def delete_older_than(self, cutoff):
        kept = [entry for entry in self.entries if entry.at >= cutoff]
        deleted, self.entries = len(self.entries) - len(kept), kept
        return deleted


class FakeSessions:
    """Sessions in memory: refresh tokens by their hash, ended sessions listed in `ended`."""

    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}  # hash -> {"session_id", "used"}
        self.ended: list[str] = []

    def start(self, user_code, now):
        session_id = secrets.token_urlsafe(16)
        self.sessions[session_id] = {"user_code": user_code, "ended": False,
                                     "expires_at": now + timedelta(seconds=REFRESH_IDLE_SECONDS)}
        return session_id, self._new_token(session_id)

    def find(self, refresh_token):
        token = self.tokens.get(hash_refresh_token(refresh_token))
        if token is None:
            return None
        session = self.sessions[token["session_id"]]
        return StoredSession(token["session_id"], session["user_code"], session["ended"], session["expires_at"],
                             token["used"])

    def rotate(self, refresh_token, now):
        token = self.tokens[hash_refresh_token(refresh_token)]
        token["used"] = True
        self.sessions[token["session_id"]]["expires_at"] = now + timedelta(seconds=REFRESH_IDLE_SECONDS)
        return self._new_token(token["session_id"])

    def end(self, session_ids, reason, now):
        for session_id in session_ids:
            if not self.sessions[session_id]["ended"]:
                self.sessions[session_id]["ended"] = True
                self.ended.append(session_id)

    def end_for_users(self, codes, reason, now):
        codes = set(codes)
        self.end([sid for sid, session in self.sessions.items() if session["user_code"] in codes], reason, now)

    def live_holders_of(self, function_code, now):
        return {session["user_code"] for session in self.sessions.values()
                if not session["ended"] and function_code in self.users.users[session["user_code"]].school_functions}

    def _new_token(self, session_id):
        token = secrets.token_urlsafe(32)
        self.tokens[hash_refresh_token(token)] = {"session_id": session_id, "used": False}
        return token


class FakeUnitOfWork:
    """Keeps committed state; what a block did without commit is thrown away, as with a database."""

    def __init__(self):
        self.users = FakeUserRepository()
        self.outbox = FakeOutbox()
        self.audit = FakeAuditTrail()
        self.sessions = FakeSessions()
        self.sessions.users = self.users
        self.sealer = Sealer("users-unit-test-secret-0123456789")
        self.published = []
        self.commits = 0

    def reading(self):
        return self

    def __enter__(self):
        self._snapshot = (dict(self.users.users), dict(self.users._functions), list(self.outbox.pending),
                          list(self.audit.entries),
                          copy.deepcopy(self.sessions.sessions), copy.deepcopy(self.sessions.tokens),
                          list(self.sessions.ended))
        return self

    def __exit__(self, *exc_info):
        if self._snapshot is not None:
            (self.users.users, self.users._functions, self.outbox.pending, self.audit.entries,
             self.sessions.sessions, self.sessions.tokens, self.sessions.ended) = self._snapshot

    def commit(self):
        self._snapshot = None
        self.commits += 1
        self.published.extend(self.outbox.pending)
        self.outbox.pending = []

    def confirm_published(self):
        """Every commit here publishes at once (see `published`)."""
