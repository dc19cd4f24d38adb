"""The outbox relay process: publishes events a crash or a Redis outage left unpublished, and collects
the other services' audit entries from the stream (services/users/audit.py).

Run it as `python -m services.users.relay`; it keeps publishing until SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import time

from services.users.bootstrap import build_service
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
    collector = service.audit_collector

    def collect_audit_entries() -> None:
        collector.collect()
        collector.apply_retention(time.monotonic())

    run_relay(service.publisher, stop, also=collect_audit_entries)


if __name__ == "__main__":
    main()
