"""The chunks a service has applied, with their row results, in the service's own database.

Recorded in the transaction that applies the rows, so a redelivered chunk finds its key and answers
the stored results instead of applying the rows again (exactly-once effects over at-least-once
delivery). Each service maps its own `applied_chunks` table: key, results (JSON text), created_at.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.clock import utcnow
from shared.jsontext import from_json, to_json


class AppliedChunks:
    def __init__(self, session: Session, row_class):
        self.session = session
        self.row_class = row_class

    def results(self, key: str) -> list[dict] | None:
        stored = self.session.get(self.row_class, key)
        return None if stored is None else from_json(stored.results)

    def record(self, key: str, results: list[dict]) -> None:
        self.session.add(self.row_class(key=key, results=to_json(results), created_at=utcnow()))
        self.session.flush()
