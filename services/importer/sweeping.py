"""Keeping the sweep going without a beat.

Every importer worker runs a `LeasedSchedule` in its main process: every PORTAL_SWEEP_SECONDS it
tries to hold the sweep lease in Redis, and the one that holds it sends the sweep task to the
importer queue, where any importer worker runs it. So the sweep goes on while any importer worker
runs, and when the holder dies another takes the lease over within SWEEP_LEASE_ROUNDS rounds.
The sweep is sent as a task rather than run in the thread: a prefork worker forks its pool
children from this process, which must then hold no database connection of its own.
"""

from __future__ import annotations

from celery import Celery

from shared.config import Settings
from shared.lease import Lease, LeasedSchedule
from shared.messages import IMPORTER_QUEUE, SWEEP_IMPORTS
from shared.redis_client import redis_client

SWEEP_LEASE_KEY = "importer:sweep-lease"
SWEEP_LEASE_ROUNDS = 5  # the holder may miss this many rounds before another worker takes over
SWEEP_EXPIRES_SECONDS = 30  # a sweep still queued after this is dropped: a newer one follows
REDIS_TIMEOUT_SECONDS = 5  # a round waits no longer than this for Redis


def sweep_schedule(celery_app: Celery, settings: Settings) -> LeasedSchedule:
    client = redis_client(settings.require_redis_url(), socket_timeout=REDIS_TIMEOUT_SECONDS,
                          socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
    lease = Lease(client, SWEEP_LEASE_KEY, seconds=SWEEP_LEASE_ROUNDS * settings.sweep_seconds)

    def send_sweep() -> None:
        celery_app.send_task(SWEEP_IMPORTS, queue=IMPORTER_QUEUE, expires=SWEEP_EXPIRES_SECONDS)

    return LeasedSchedule(lease, settings.sweep_seconds, send_sweep, name="importer sweep")
