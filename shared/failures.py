"""Which exceptions are passing failures of the infrastructure rather than of the data at hand.

A database or Redis that cannot be reached, a deadlock, a lock that timed out: trying the same work
again later may well succeed, so such an error is never blamed on a row or a file (no row error, no
failed job); the work is sent again by the importer's sweep, which counts and bounds the tries.
"""

from __future__ import annotations

import redis.exceptions
import sqlalchemy.exc


class EventsNotPublished(Exception):
    """Work was committed but its events could not be put on the stream in time (Redis refused or
    was unreachable): done, but not complete until they are."""


INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError, TimeoutError,
    EventsNotPublished,
)
