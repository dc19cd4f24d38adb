"""The service's own directory of students, kept from `portal:events` (never the users database).

The consumer process (`python -m services.enrollments.consumer`) follows the stream all the time;
before the service validates a student it also catches up to the stream's end itself, so a student
whose creating request or import has finished is always known here.
"""

from __future__ import annotations

import os
import socket

import redis

from services.enrollments import handlers
from shared.events.envelope import STUDENT_CREATED, STUDENT_UPDATED, Envelope
from shared.events.subscriber import Subscriber

GROUP = "enrollments"
CATCH_UP_SECONDS = 10.0


class StudentDirectory:
    def __init__(self, client: redis.Redis, uow_factory, consumer: str | None = None):
        self.uow_factory = uow_factory
        # Idempotent: a student's row keeps the newest state by the user's `updated_at`, so an event
        # handled again (a redelivery, a replay after Redis lost the group) changes nothing, and no
        # processed ids are kept (they cost Redis about 600 bytes per event, for ever).
        self.subscriber = Subscriber(client, GROUP, consumer or f"{socket.gethostname()}-{os.getpid()}",
                                     batch_handler=self.apply_events, idempotent=True)

    def apply_events(self, envelopes: list[Envelope]) -> None:
        """A batch of events in one transaction, in stream order."""
        students = [envelope.data for envelope in envelopes if envelope.type in (STUDENT_CREATED, STUDENT_UPDATED)]
        if students:
            handlers.apply_student_events(self.uow_factory(), students)

    def catch_up(self) -> bool:
        return self.subscriber.catch_up_to_end(timeout=CATCH_UP_SECONDS)
