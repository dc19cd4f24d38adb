"""The chunks a service has applied, with their row results, in the service's own database.

Recorded in the transaction that applies the rows, so a redelivered chunk finds its key and answers
the stored results instead of applying the rows again (exactly-once effects over at-least-once
delivery). Each service declares the `applied_chunks` table on its own `Base` with
`class AppliedChunkRow(AppliedChunkTable, Base)`, so every service's table has the same shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.clock import utcnow
from shared.jsontext import from_json, to_json


class AppliedChunkTable:
    """The columns of `applied_chunks`: the chunk's key, its row results (JSON text), when it was applied."""

    __tablename__ = "applied_chunks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    results: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AppliedChunks:
    def __init__(self, session: Session, row_class: type[Any]):  # a service's AppliedChunkRow
        self.session = session
        self.row_class = row_class

    def results(self, key: str) -> list[dict] | None:
        stored = self.session.get(self.row_class, key)
        return None if stored is None else from_json(stored.results)

    def record(self, key: str, results: list[dict]) -> None:
        self.session.add(self.row_class(key=key, results=to_json(results), created_at=utcnow()))
        self.session.flush()
