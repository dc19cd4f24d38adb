"""Which exceptions are passing failures of the infrastructure rather than of the data at hand.

A database or Redis that cannot be reached, a deadlock, a lock or statement that timed out, a session
the server ended because it idled in a transaction (each PostgreSQL's OperationalError, see the session
limits in shared/db.py): trying the same work again later may well succeed, so such an error is never
blamed on a row or a file (no row error, no failed job); the work is sent again by the importer's
sweep, which counts and bounds the tries. A request it interrupts answers 503 (shared/http.py).
"""

from __future__ import annotations

import redis.exceptions
import sqlalchemy.exc


class EventsNotPublished(Exception):
    """Work was committed but its events could not be put on the stream in time (Redis refused or
    was unreachable): done, but not complete until they are."""


INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError, TimeoutError,
    EventsNotPublished,
)
