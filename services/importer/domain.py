"""Import jobs as plain Python: options, statuses, the column mapping."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from services.importer.kinds import IGNORE, KINDS, ImportKind
from shared.csvfile import FileProblem, normalize_delimiter, normalize_encoding
from shared.errors import Conflict, InvalidInput, NotFound

MODES = ("import", "update", "synchronize")
ANALYZING, READY, QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED = (
    "analyzing", "ready", "queued", "running", "completed", "failed", "cancelled")
ACTIVE = (ANALYZING, READY, QUEUED, RUNNING)
OPTION_NAMES = ("delimiter", "encoding", "has_header", "mapping", "mode", "as_student", "schedule_project", "start")


@dataclass
class ImportSettings:
    delimiter: str | None = None
    encoding: str | None = None
    has_header: bool = True
    mapping: dict[str, str] | None = None
    mode: str = "import"
    as_student: bool = False
    schedule_project: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Column:
    index: int
    header: str
    field: str
    samples: list[str] = field(default_factory=list)


def kind_named(name: str | None) -> ImportKind:
    if name not in KINDS:
        raise invalid_option("kind", f"kind must be one of {', '.join(KINDS)}.")
    return KINDS[name]


def invalid_option(name: str, message: str) -> InvalidInput:
    return InvalidInput("invalid_option", message, field=name)


def apply_options(settings: ImportSettings, kind: ImportKind, options: Mapping[str, str]) -> bool:
    """Change `settings` by the given multipart options; returns the `start` option."""
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise invalid_option(unknown[0], f"Unknown option {unknown[0]!r}.")
    if "delimiter" in options:
        settings.delimiter = _optional(options["delimiter"], normalize_delimiter, "delimiter",
                                       "delimiter must be tab, semicolon or comma.")
    if "encoding" in options:
        settings.encoding = _optional(options["encoding"], normalize_encoding, "encoding",
                                      "encoding must be utf-8, utf-8-sig, cp1252 or utf-16.")
    if "has_header" in options:
        settings.has_header = parse_flag(options["has_header"], "has_header")
    if "mapping" in options:
        settings.mapping = parse_mapping(options["mapping"], kind)
    if "mode" in options:
        if not isinstance(options["mode"], str) or options["mode"] not in MODES:
            raise invalid_option("mode", f"mode must be one of {', '.join(MODES)}.")
        settings.mode = options["mode"]
    if "as_student" in options:
        settings.as_student = parse_flag(options["as_student"], "as_student")
    if "schedule_project" in options:
        if not isinstance(options["schedule_project"], str):
            raise invalid_option("schedule_project", "schedule_project must be a code.")
        settings.schedule_project = options["schedule_project"].strip() or None
    return parse_flag(options.get("start", "false"), "start")


def parse_flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    raise invalid_option(name, f"{name} must be true or false.")


def parse_mapping(raw: Any, kind: ImportKind) -> dict[str, str]:
    try:
        mapping = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise invalid_option("mapping", "mapping must be a JSON object: column header or index → field.")
    if not isinstance(mapping, dict) or not all(isinstance(value, str) for value in mapping.values()):
        raise invalid_option("mapping", "mapping must be a JSON object: column header or index → field.")
    allowed = (*kind.fields, IGNORE)
    for column, name in mapping.items():
        if name not in allowed:
            raise invalid_option("mapping", f"Column {column!r} names unknown field {name!r}; "
                                 f"fields are {', '.join(allowed)}.")
    return {str(column): name for column, name in mapping.items()}


def resolve_columns(headers: list[str], settings: ImportSettings, kind: ImportKind) -> list[Column]:
    """Each column's field: the given mapping (by header text or index) over the suggestions.
    A field goes to one column only: a later column suggesting a taken field is ignored."""
    given = settings.mapping or {}
    # A field the mapping gives a column is not taken by an earlier column's suggestion.
    given_fields = {given[str(i)] if str(i) in given else given[h]
                    for i, h in enumerate(headers) if str(i) in given or h in given}
    columns, taken = [], set()
    for index, header in enumerate(headers):
        if str(index) in given:
            name = given[str(index)]
        elif header in given:
            name = given[header] if headers.index(header) == index else IGNORE
        else:
            name = kind.suggest(header) if settings.has_header else IGNORE
            name = IGNORE if name in given_fields else name
        if name != IGNORE and name in taken:
            name = IGNORE
        taken.add(name)
        columns.append(Column(index, header, name))
    missing = [name for name in kind.required if name not in taken]
    if missing:
        raise FileProblem(
            "missing_required_column",
            f"No column is labelled {' or '.join(missing)}; the file has {len(headers)} column(s) "
            f"({', '.join(repr(h) for h in headers[:8])}). Label a column in the mapping or check the delimiter.",
        )
    return columns


def settings_mapping(columns: list[Column]) -> dict[str, str]:
    """The mapping as the job shows it: by header text, by index where a header is empty or repeated."""
    headers = [column.header for column in columns]
    return {
        (column.header if column.header and headers.count(column.header) == 1 else str(column.index)): column.field
        for column in columns
    }


def require_status(status: str, allowed: tuple[str, ...], doing: str) -> None:
    if status not in allowed:
        raise Conflict("invalid_state", f"Cannot {doing} a job that is {status}.", {"status": status})


def job_not_found(job_id: str) -> NotFound:
    return NotFound("import_not_found", f"No import has id {job_id!r}.", {"id": job_id})


def _optional(value: str, normalize, name: str, message: str):
    if not isinstance(value, str):
        raise invalid_option(name, message)
    if value.strip(" \r\n") == "":
        return None  # detect (a tab is a delimiter, not blank)
    normalized = normalize(value)
    if normalized is None:
        raise invalid_option(name, message)
    return normalized
