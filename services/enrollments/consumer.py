"""The event consumer process: keeps the student directory in step with `portal:events`.

Run it as `python -m services.enrollments.consumer`; it catches up on whatever it missed while it
was down, then follows the stream until SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import signal
import threading

from services.enrollments.bootstrap import build_service
from shared.config import Settings

log = logging.getLogger(__name__)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s enrollments-consumer %(levelname)s %(message)s")
    settings = Settings.from_env()
    settings.require_redis_url()
    service = build_service(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("following the student events")
    service.directory.subscriber.run(stop)


if __name__ == "__main__":
    main()
