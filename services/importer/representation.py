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
        "error": job.error,  # as stored, with its params: job_in_language() makes it text
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
        messages = outcome.get("messages", [])  # a row is kept without what it has by default
        reason, params = outcome.get("reason"), outcome.get("params")
        if reason is None and outcome["action"] in ("error", "skip"):
            reason, params = _principal(messages)
        results.append({"line": row["line"], "action": outcome["action"],
                        "values": _masked(row["values"], secret_fields),
                        "messages": messages, "applied": outcome.get("applied", False),
                        "reason": reason, "params": params or {}, "changes": outcome.get("changes")})
    return results


def job_in_language(job: dict[str, Any], lang: str) -> dict[str, Any]:
    """The job as the reader sees it: its `error` a `{"code", "message"}` in the reader's language (the
    message it was stored with where the catalogue has no text for it)."""
    error = job.get("error")
    if error:
        job["error"] = {"code": error["code"], "message": catalogue.text(
            error.get("key") or error["code"], lang, error.get("params"), fallback=error.get("message"))}
    return job


def row_in_language(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """The row with its notes as texts in the reader's language."""
    row["messages"] = notes_in_language(row["messages"], lang)
    return row


# Notes that name missing rights (params.missing, codes): the users service's row refusal, and the
# enrollments service's, which passes on the API's own code.
_RIGHTS_NOTES = {"row_insufficient_rights": "row_insufficient_rights",
                 "insufficient_rights": "insufficient_rights_named"}


def notes_in_language(messages: list, lang: str) -> list[str]:
    """A row's notes as texts in `lang`. Missing rights are named as the rights grid and the API's refusals
    name them (catalogue.rights_in_words), "het recht ‘Gebruikers wijzigen’", not by their codes; that is
    done here, when shown, so rows stored before keep only the codes and still read in words."""
    return catalogue.render([_rights_worded(message, lang) for message in messages], lang)


def _rights_worded(message: dict[str, Any] | str, lang: str) -> dict[str, Any] | str:
    if isinstance(message, str) or message["code"] not in _RIGHTS_NOTES:
        return message
    params = message.get("params") or {}
    missing = params.get("missing")
    if not isinstance(missing, list) or not missing:
        return message
    named = catalogue.rights_in_words(missing, lang)
    return catalogue.note(_RIGHTS_NOTES[message["code"]], **params, missing_named=named)


def _principal(messages: list) -> tuple[str | None, dict[str, Any] | None]:
    """A row without a reason of its own (the service passed on what the importer found) has the
    code of its first note as reason."""
    for message in messages:
        if isinstance(message, dict):
            return message["code"], message.get("params")
    return None, None


def _masked(values: dict[str, str], secret_fields: tuple[str, ...]) -> dict[str, str]:
    return {name: MASK if name in secret_fields and value else value for name, value in values.items()}
