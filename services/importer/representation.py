"""Jobs and row results as the contract shows them."""

from __future__ import annotations

from typing import Any

from services.importer.domain import ANALYZING, QUEUED, READY, kind_named
from services.importer.orm import JobRow
from shared.events.envelope import utc_timestamp


def job_representation(job: JobRow, planned: dict[str, int], done: dict[str, int], processed: int) -> dict[str, Any]:
    previewing = job.status in (ANALYZING, READY, QUEUED)
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "filename": job.filename,
        "settings": job.settings,
        # What a column can be labelled with (besides "ignore"): frontends read it here, not from a copy.
        "fields": list(kind_named(job.kind).fields),
        "columns": job.columns,
        "sample_rows": job.sample_rows or [],
        "total_rows": job.total_rows,
        "progress": {"processed": 0 if previewing else processed, "total": job.total_rows},
        "counts": planned if previewing else done,
        "error": job.error,
        "created_by": job.created_by,
        "started_by": job.started_by,
        "created_at": utc_timestamp(job.created_at),
        "started_at": utc_timestamp(job.started_at) if job.started_at else None,
        "finished_at": utc_timestamp(job.finished_at) if job.finished_at else None,
    }
