"""JSON as text, the fast way (orjson): for SQL JSON columns, event envelopes and queue messages.

The standard library's encoder is several times slower, and Celery's JSON decoder calls a hook
for every object: for chunks of thousands of rows that was a large part of an import's CPU.
"""

from __future__ import annotations

from typing import Any

import orjson

from_json = orjson.loads  # accepts str and bytes


def to_json(value: Any) -> str:
    """Compact, non-ASCII kept as is (UTF-8 on the wire)."""
    return orjson.dumps(value).decode()
