"""The outbox relay process: publishes events and ended sessions a crash or a Redis outage left unpublished.

Run it as `python -m services.users.relay`; it keeps publishing until SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import threading

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
              min_age_seconds: float = MIN_AGE_SECONDS, revocation_publisher=None) -> None:
    while not stop.is_set():
        try:
            # Ended sessions at once, whatever their age: publishing one twice does no harm.
            if revocation_publisher is not None and (ended := revocation_publisher.publish_pending()):
                log.info("relay published %d ended sessions", ended)
            sent = publisher.publish_pending(min_age_seconds)
            if sent:
                log.info("relay published %d pending events", sent)
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
    run_relay(service.publisher, stop, revocation_publisher=service.revocation_publisher)


if __name__ == "__main__":
    main()
