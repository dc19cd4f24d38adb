"""Interfaces more than one service's handlers need, as types (each service implements them on its
own database)."""

from __future__ import annotations

from typing import Protocol

from shared.audit import AuditEntry


class AppliedChunkStore(Protocol):
    """The chunks a service applied, with their row results (see shared/applied_chunks.py)."""

    def results(self, key: str) -> list[dict] | None: ...
    def record(self, key: str, results: list[dict]) -> None: ...


class UnitOfWorkBase(Protocol):
    """A block of work: `with uow:` … `uow.commit()`; `with uow.reading():` for a block that only reads."""

    def __enter__(self): ...
    def __exit__(self, *exc_info) -> None: ...
    def reading(self): ...
    def commit(self) -> None: ...


class AuditTrail(Protocol):
    """Where a service records its actions for the audit trail, in the transaction of the change."""

    def add(self, entry: AuditEntry) -> None: ...
