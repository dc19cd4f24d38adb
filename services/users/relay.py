"""The outbox relay process: publishes events and ended sessions a crash or a Redis outage left
unpublished, puts back on the stream what Redis lost of the users log, trims the stream to what every
consumer group has acknowledged and the retention allows, and collects the other services' audit
entries from the stream (services/users/audit.py).

Run it as `python -m services.users.relay`; it keeps publishing until SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from services.users.bootstrap import build_service
from shared import event_stream
from shared.clock import utcnow
from shared.config import Settings
from shared.lifecycle import configure_logging, stop_on_signals
from shared.outbox import run_relay

log = logging.getLogger(__name__)


def main() -> None:
    configure_logging("relay")
    settings = Settings.from_env()
    settings.require_redis_url()
    service = build_service(settings)
    stop = stop_on_signals()
    log.info("relay started")
    collector, revocations, publisher = service.audit_collector, service.revocation_publisher, service.publisher
    retention = timedelta(hours=settings.event_retention_hours)

    def each_round() -> None:
        # Ended sessions whatever their age: publishing one twice does no harm.
        if revocations is not None and (ended := revocations.publish_pending()):
            log.info("relay published %d ended sessions", ended)
        collector.collect()
        collector.apply_retention(time.monotonic())
        event_stream.trim(publisher.client, publisher.stream, retention, utcnow())

    run_relay(publisher, stop, also=each_round)


if __name__ == "__main__":
    main()
