"""Version 1 of the event envelope: {"id", "type", "version", "occurred_at", "data"}."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.clock import utcnow
from shared.jsontext import from_json, to_json

ENVELOPE_VERSION = 1
STUDENT_CREATED = "student.created"
STUDENT_UPDATED = "student.updated"
EVENT_FIELD = "event"


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    version: int
    occurred_at: str
    data: dict[str, Any]

    @classmethod
    def new(cls, event_type: str, data: dict[str, Any], occurred_at: datetime | None = None) -> Envelope:
        return cls(
            id=str(uuid.uuid4()),
            type=event_type,
            version=ENVELOPE_VERSION,
            occurred_at=utc_timestamp(occurred_at),
            data=data,
        )

    def to_json(self) -> str:
        body = {"id": self.id, "type": self.type, "version": self.version, "occurred_at": self.occurred_at,
                "data": self.data}
        return to_json(body)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Envelope:
        body = from_json(raw)
        return cls(
            id=body["id"],
            type=body["type"],
            version=body["version"],
            occurred_at=body["occurred_at"],
            data=body["data"],
        )


def utc_timestamp(moment: datetime | None = None) -> str:
    return _format_utc(moment or utcnow())


@functools.lru_cache(maxsize=4096)
def _format_utc(moment: datetime) -> str:
    """Cached: a chunk of thousands of rows shares one commit time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
