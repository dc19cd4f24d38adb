"""The outbox relay process: publishes events a crash or a Redis outage left unpublished, and collects
the other services' audit entries from the stream (services/users/audit.py).

Run it as `python -m services.users.relay`; it keeps publishing until SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from sqlalchemy.exc import OperationalError

from services.users.bootstrap import build_service
from shared.config import Settings
from shared.lifecycle import configure_logging, stop_on_signals

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# The writer publishes its own events right after its commit; the relay is for what a crash or an
# outage left behind, so it leaves young events to their writer instead of racing it for them.
MIN_AGE_SECONDS = 2.0


def run_relay(publisher, stop: threading.Event, poll_seconds: float = POLL_SECONDS,
              min_age_seconds: float = MIN_AGE_SECONDS, audit_collector=None) -> None:
    """Publish what the outbox still holds; with `audit_collector`, also store the other services'
    audit entries from the stream and delete entries past the retention."""
    while not stop.is_set():
        try:
            sent = publisher.publish_pending(min_age_seconds)
            if sent:
                log.info("relay published %d pending events", sent)
            if audit_collector is not None:
                audit_collector.collect()
                audit_collector.apply_retention(time.monotonic())
        except (redis.RedisError, OperationalError) as error:
            log.warning("relay could not publish yet: %s", error)
        stop.wait(poll_seconds)


def main() -> None:
    configure_logging("relay")
    settings = Settings.from_env()
    settings.require_redis_url()
    service = build_service(settings)
    stop = stop_on_signals()
    log.info("relay started")
    run_relay(service.publisher, stop, audit_collector=service.audit_collector)


if __name__ == "__main__":
    main()
