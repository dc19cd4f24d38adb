"""Version 1 of the event envelope: {"id", "type", "version", "occurred_at", "data"}."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterable
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

    @classmethod
    def new_many(cls, typed_data: Iterable[tuple[str, dict[str, Any]]], occurred_at: datetime | None = None,
                 ) -> list[Envelope]:
        """`Envelope.new` for each (type, data), in one go: an import chunk makes thousands, and one
        `uuid4()` each (a system call and a UUID object) cost more than the rest of the envelope."""
        items = list(typed_data)
        moment = utc_timestamp(occurred_at)
        return [cls(id=event_id, type=event_type, version=ENVELOPE_VERSION, occurred_at=moment, data=data)
                for event_id, (event_type, data) in zip(random_uuids(len(items)), items, strict=True)]

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


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}  # RFC 4122: 10xx


def random_uuids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as text, what `str(uuid.uuid4())` gives, from one read of
    the system's randomness."""
    digits = os.urandom(16 * count).hex()
    return [f"{digits[at:at + 8]}-{digits[at + 8:at + 12]}-4{digits[at + 13:at + 16]}-"
            f"{_VARIANT[digits[at + 16]]}{digits[at + 17:at + 20]}-{digits[at + 20:at + 32]}"
            for at in range(0, 32 * count, 32)]


def utc_timestamp(moment: datetime | None = None) -> str:
    return _format_utc(moment or utcnow())


@functools.lru_cache(maxsize=4096)
def _format_utc(moment: datetime) -> str:
    """Cached: a chunk of thousands of rows shares one commit time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
