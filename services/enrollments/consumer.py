"""The event consumer process: keeps the student directory in step with `portal:events`.

Run it as `python -m services.enrollments.consumer`; it catches up on whatever it missed while it
was down, then follows the stream until SIGTERM or SIGINT. Beside it, a thread publishes the audit
entries a crash or a Redis outage left in the service's outbox.
"""

from __future__ import annotations

import logging
import threading

from services.enrollments.bootstrap import build_service
from shared.config import Settings
from shared.lifecycle import configure_logging, stop_on_signals
from shared.outbox import run_relay

log = logging.getLogger(__name__)


def main() -> None:
    configure_logging("enrollments-consumer")
    settings = Settings.from_env()
    settings.require_redis_url()
    service = build_service(settings)
    stop = stop_on_signals()
    log.info("following the student events")
    relay = threading.Thread(target=run_relay, args=(service.publisher, stop), name="audit-relay", daemon=True)
    relay.start()
    service.directory.subscriber.run(stop)


if __name__ == "__main__":
    main()
