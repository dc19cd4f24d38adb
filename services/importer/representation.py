"""Jobs and row results as the contract shows them."""

from __future__ import annotations

from typing import Any

from services.importer.domain import Job, Phase
from services.importer.ports import ChunkOutcomes, Totals
from shared import catalogue
from shared.events.envelope import utc_timestamp
from shared.sealing import MASK


def job_representation(job: Job, totals: Totals) -> dict[str, Any]:
    previewing = job.shown_phase is Phase.PREVIEW
    return {
        "id": job.id,
        "kind": job.kind.name,
        "status": str(job.status),
        "filename": job.filename,
        "settings": job.settings.to_dict(),
        # What a column can be labelled with (besides "ignore"): frontends read it here, not from a copy.
        "fields": list(job.kind.fields),
        "columns": job.columns,
        "sample_rows": job.sample_rows or [],
        "total_rows": job.total_rows,
        "progress": {"processed": 0 if previewing else totals.processed, "total": job.total_rows},
        "counts": shown_counts(job, totals.planned if previewing else totals.done),
        "active_students": job.active_students,
        "error": job.error,
        "created_by": job.created_by.code,
        "started_by": job.started_by.code if job.started_by else None,
        "created_at": utc_timestamp(job.created_at),
        "started_at": utc_timestamp(job.started_at) if job.started_at else None,
        "finished_at": utc_timestamp(job.finished_at) if job.finished_at else None,
        "rows_deleted_at": utc_timestamp(job.rows_deleted_at) if job.rows_deleted_at else None,
    }


def shown_counts(job: Job, counts: dict[str, int]) -> dict[str, int]:
    """The five actions of the file's rows; `archive` too for a job that archives leavers."""
    if job.settings.archive_missing:
        return counts
    return {action: count for action, count in counts.items() if action != "archive"}


def row_results(chunk: ChunkOutcomes, phase: Phase, secret_fields: tuple[str, ...]) -> list[dict | None]:
    """Each stored row with its outcome in the phase (None where it has none yet); secrets masked."""
    outcomes = chunk.preview if phase is Phase.PREVIEW else chunk.applied
    results: list[dict | None] = []
    for index, row in enumerate(chunk.rows):
        outcome = outcomes[index] if outcomes else None
        if outcome is None:
            results.append(None)
            continue
        results.append({"line": row["line"], "action": outcome["action"],
                        "values": _masked(row["values"], secret_fields),
                        "messages": catalogue.render(outcome["messages"]), "applied": outcome["applied"],
                        "reason": outcome.get("reason"), "params": outcome.get("params") or {},
                        "changes": outcome.get("changes")})
    return results


def _masked(values: dict[str, str], secret_fields: tuple[str, ...]) -> dict[str, str]:
    return {name: MASK if name in secret_fields and value else value for name, value in values.items()}
