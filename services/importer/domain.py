"""Import jobs as plain Python: a job's life (statuses, phases, each step), its options and the
column mapping. Nothing here reads a file, a database or a queue: the handlers do that and ask the
job what follows.

A job's life: uploaded (analyzing) → its file read into chunks → each chunk previewed by the service
that owns the data → ready → started (queued → running) → each chunk applied → completed; or failed
(the file is unusable) or cancelled. Two phases send chunks: the preview and the apply.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from services.importer.kinds import IGNORE, KINDS, ImportKind
from shared import catalogue, policy
from shared.codes import is_code
from shared.csvfile import FileProblem, normalize_delimiter, normalize_encoding
from shared.errors import Conflict, Gone, InvalidInput, NotFound, shown_value
from shared.messages import RowIn
from shared.policy import Actor

# The values the delimiter and encoding options take, as the refusal of another one names them.
DELIMITER_NAMES = ("tab", "semicolon", "comma")
ENCODING_NAMES = ("utf-8", "utf-8-sig", "cp1252", "mac-roman", "cp850", "utf-16")

MODES = ("import", "update", "synchronize")
# A chunk sent this often without an answer is given up: its rows become errors with reason no_answer.
# Well above ROW_BY_ROW_ATTEMPT (a failing chunk is answered row by row from there), so only a
# worker that dies on the chunk, or an outage of PORTAL_CHUNK_TIMEOUT_SECONDS x this, gets here.
MAX_CHUNK_SENDS = 10
NO_ANSWER = "no_answer"
# A chunk sent for the ROW_BY_ROW_ATTEMPT-th time or later may be decided row by row, a transaction
# per row (2,000 take some seconds): it is waited for this many times the chunk timeout.
ROW_BY_ROW_TIMEOUT_FACTOR = 10
# An analysis is tried this often (an unexpected error, or no answer within the analysis timeout)
# before the job fails with analysis_failed: a file that makes the importer fail keeps doing so.
MAX_ANALYSIS_ATTEMPTS = 3
ANALYSIS_FAILED = "analysis_failed"
# The same, when what failed each time was the disk the importer worker analyses on (its scratch file of
# the keys seen so far): full (ENOSPC, EDQUOT), or unusable otherwise (read-only, gone, an I/O error).
STORAGE_FULL = "storage_full"
STORAGE_FAILED = "storage_failed"
_ANALYSIS_FAILURES = {
    ANALYSIS_FAILED: "The file could not be analysed: {what}, {attempts} times. This is a fault of the portal "
                     "rather than of the file; report it with the file, or try again later.",
    STORAGE_FULL: "The file could not be analysed: the importer's working disk is full ({what}), {attempts} times. "
                  "This is not a fault of the file: ask the administrator to free space for the importer's "
                  "workers (their temporary directory), then upload the file again.",
    STORAGE_FAILED: "The file could not be analysed: the importer could not use its working disk ({what}), "
                    "{attempts} times. This is not a fault of the file: ask the administrator to check the "
                    "importer workers' temporary directory, then upload the file again.",
}
OPTION_NAMES = ("delimiter", "encoding", "has_header", "mapping", "mode", "as_student", "schedule_project",
                "login_method", "archive_missing", "max_archive_percent", "start")
LOGIN_METHODS = ("password", "sso", "none")  # the users service's; the login method of the users an import creates
DEFAULT_MAX_ARCHIVE_PERCENT = 10
# Failures that other settings (delimiter, encoding, header, mapping, schedule project) may cure: such a
# job keeps its file and can be PATCHed like a ready one. An empty or binary file stays what it is.
SETTINGS_FAILURES = frozenset({"undecodable_file", "malformed_csv", "no_data_rows", "missing_required_column",
                               "unknown_schedule_project"})
# The row results of leavers (students missing from a synchronize with archive_missing) are no line of the
# file: they carry this line number, and come after the file's rows.
LEAVER_LINE = 0


class Status(StrEnum):
    ANALYZING = "analyzing"
    READY = "ready"
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Phase(StrEnum):
    """The two rounds in which chunks are sent: decided without writing (the preview), then applied."""

    PREVIEW = "preview"
    APPLY = "apply"


# Which status may follow which; every change of status goes through Job._become.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.ANALYZING: frozenset({Status.ANALYZING, Status.READY, Status.QUEUED, Status.FAILED, Status.CANCELLED}),
    Status.READY: frozenset({Status.ANALYZING, Status.QUEUED, Status.CANCELLED}),
    Status.QUEUED: frozenset({Status.RUNNING, Status.FAILED, Status.CANCELLED}),
    Status.RUNNING: frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.FAILED: frozenset({Status.ANALYZING}),  # analysed again with other settings (see SETTINGS_FAILURES)
    Status.CANCELLED: frozenset(),
}
UNFINISHED = frozenset({Status.ANALYZING, Status.READY, Status.QUEUED, Status.RUNNING})
FINISHED = frozenset(Status) - UNFINISHED
# What the sweep moves on by itself; a ready job waits for a person to start it.
IN_MOTION = frozenset({Status.ANALYZING, Status.QUEUED, Status.RUNNING})


@dataclass
class ImportSettings:
    delimiter: str | None = None
    encoding: str | None = None
    has_header: bool = True
    mapping: dict[str, str] | None = None
    mode: str = "import"
    as_student: bool = False
    schedule_project: str | None = None
    login_method: str | None = "password"  # of the users the import creates (users imports)
    archive_missing: bool = False  # leavers: archive every active student missing from the file
    max_archive_percent: int = DEFAULT_MAX_ARCHIVE_PERCENT  # start refuses to archive more of the active students

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Column:
    index: int
    header: str
    field: str
    samples: list[str] = dataclasses.field(default_factory=list)


@dataclass
class Job:
    id: str
    kind: ImportKind
    status: Status
    filename: str
    settings: ImportSettings
    created_by: Actor
    created_at: datetime
    generation: int = 0  # a change of settings starts a new one; answers for an older one are dropped
    start_when_ready: bool = False
    columns: list[dict] = field(default_factory=list)
    sample_rows: list[list[str]] | None = None
    total_rows: int | None = None
    chunk_count: int | None = None  # set once the file has been read into chunks
    analysis_sent_at: datetime | None = None
    analysis_attempts: int = 0  # how often the analysis of this generation has been sent
    error: dict[str, Any] | None = None  # {"code", "message", "params", "key"}: see FileProblem.to_error
    started_by: Actor | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    rows_deleted_at: datetime | None = None  # its row results are gone (the retention); counts stay
    # With archive_missing: how many students were active when the leavers were planned (the preview).
    active_students: int | None = None
    stored_status: Status | None = None  # as read: the repository saves only over this status

    @classmethod
    def upload(cls, kind: ImportKind, filename: str, options: Mapping[str, Any], actor: Actor, now: datetime) -> Job:
        policy.require(policy.missing_for_import(actor, kind.name))
        settings = ImportSettings()
        start = apply_options(settings, kind, options)
        settle_for_kind(settings, kind)
        check_leavers_options(settings)
        return cls(id=str(uuid.uuid4()), kind=kind, status=Status.ANALYZING, filename=filename or "upload.csv",
                   settings=settings, created_by=actor, created_at=now, start_when_ready=start,
                   started_by=actor if start else None, analysis_sent_at=now, analysis_attempts=1)

    @property
    def phase(self) -> Phase | None:
        """The phase whose chunks are out now, if any."""
        if self.status is Status.ANALYZING and self.chunk_count is not None:
            return Phase.PREVIEW
        return Phase.APPLY if self.status is Status.RUNNING else None

    @property
    def shown_phase(self) -> Phase:
        """Whose counts and row results the job shows: the preview's until it runs."""
        return Phase.PREVIEW if self.status in (Status.ANALYZING, Status.READY, Status.QUEUED) else Phase.APPLY

    @property
    def ends_now(self) -> bool:
        """Finished by this change (and not before): its file and secrets are to be let go."""
        return self.status not in UNFINISHED and self.stored_status in UNFINISHED

    @property
    def keeps_file(self) -> bool:
        """Whether its file is still needed: while it is unfinished, and after a failure that other
        settings may cure (until it is discarded)."""
        return self.status in UNFINISHED or self.failed_on_settings

    @property
    def failed_on_settings(self) -> bool:
        return self.status is Status.FAILED and (self.error or {}).get("code") in SETTINGS_FAILURES

    @property
    def leavers_chunk_no(self) -> int | None:
        """With archive_missing, the chunk after the file's: the active students missing from the file."""
        if not self.settings.archive_missing or self.chunk_count is None:
            return None
        return self.chunk_count - 1

    @property
    def keeps_secrets(self) -> bool:
        return any(name in self.kind.secret_fields for name in (self.settings.mapping or {}).values())

    def change_settings(self, options: Mapping[str, Any], actor: Actor, now: datetime) -> bool:
        """New settings for a ready job, or for one that failed on its settings: it is analysed again,
        as a new generation (the preview still decides rows with the uploader's rights). Returns False
        when only max_archive_percent changed: the preview stands, only the threshold moved."""
        policy.require(policy.missing_for_import(actor, self.kind.name))
        self._require((Status.READY, Status.FAILED), "change the settings of")
        if self.status is Status.FAILED and not self.failed_on_settings:
            raise Conflict("invalid_state", f"The file of this job cannot be used ({(self.error or {}).get('code')}): "
                           "other settings do not change that; upload another file.",
                           {"status": self.status, "error": (self.error or {}).get("code")})
        settings = replace(self.settings, mapping=dict(self.settings.mapping or {}) or None)
        start = apply_options(settings, self.kind, options)
        settle_for_kind(settings, self.kind)
        check_leavers_options(settings)
        if self.status is Status.READY and not start and \
                replace(settings, max_archive_percent=self.settings.max_archive_percent) == self.settings:
            self.settings = settings
            return False
        self._become(Status.ANALYZING)
        self.settings, self.generation, self.start_when_ready = settings, self.generation + 1, start
        self.columns, self.sample_rows, self.total_rows, self.chunk_count = [], None, None, None
        self.analysis_sent_at, self.analysis_attempts = now, 1
        self.error, self.finished_at, self.active_students = None, None, None
        if start:
            self.started_by = actor
        return True

    def discard(self, actor: Actor) -> None:
        """DELETE: a job not being applied goes, with its file and its rows (the rights of its kind)."""
        policy.require(policy.missing_for_import(actor, self.kind.name))
        if self.status in (Status.QUEUED, Status.RUNNING):
            raise Conflict("invalid_state", f"Cannot discard a job that is {self.status}; cancel it first.",
                           {"status": self.status})

    def archive_threshold(self, archive_count: int) -> dict[str, Any] | None:
        """With archive_missing: the figures when more than max_archive_percent of the active students
        would be archived (else None)."""
        active = self.active_students or 0
        if not self.settings.archive_missing or archive_count == 0 or \
                archive_count * 100 <= self.settings.max_archive_percent * active:
            return None
        percent = round(archive_count * 100 / active, 1) if active else 100.0
        return {"percent": percent, "count": archive_count, "active": active,
                "max": self.settings.max_archive_percent}

    def awaits_analysis(self, generation: int) -> bool:
        return self.generation == generation and self.status is Status.ANALYZING

    def analysis_overdue(self, now: datetime, timeout_seconds: float) -> bool:
        sent_at = _aware(self.analysis_sent_at or self.created_at)
        return self.chunk_count is None and (now - sent_at).total_seconds() > timeout_seconds

    def analysis_resent(self, now: datetime) -> None:
        self.analysis_sent_at, self.analysis_attempts = now, self.analysis_attempts + 1

    def analysis_went_wrong(self, what: str, now: datetime, code: str = ANALYSIS_FAILED) -> bool:
        """The analysis raised `what` or never answered: True when it is to be sent again (counted),
        False when the job has failed with `code` (analysis_failed, storage_full, storage_failed)
        because it had its tries."""
        if self.analysis_attempts < MAX_ANALYSIS_ATTEMPTS:
            self.analysis_resent(now)
            return True
        message = _ANALYSIS_FAILURES[code].format(what=what, attempts=self.analysis_attempts)
        self.fail(FileProblem(code, message, {"what": what, "attempts": self.analysis_attempts}), now)
        return False

    def analysed(self, encoding: str, delimiter: str, columns: list[Column], sample_rows: list[list[str]],
                 total_rows: int, chunk_count: int) -> None:
        """The file is read into chunks: the preview follows, or with start=true the apply at once."""
        self.settings.encoding, self.settings.delimiter = encoding, delimiter
        self.settings.mapping = settings_mapping(columns)
        self.columns = [asdict(column) for column in columns]
        self.sample_rows, self.total_rows, self.chunk_count = sample_rows, total_rows, chunk_count
        if self.start_when_ready and not self.settings.archive_missing:
            # Nobody will look at a preview: no dry run. Leavers are always planned first: the
            # threshold is checked on what the preview would archive.
            self._become(Status.QUEUED)

    def fail(self, problem: FileProblem, now: datetime) -> None:
        self._become(Status.FAILED)
        self.error, self.finished_at = problem.to_error(), now

    def start(self, actor: Actor, archive_count: int = 0) -> None:
        """Queue a ready job; its rows are applied with the rights of `actor`, who starts it. Refused
        (409 change_threshold_exceeded) while it would archive more than max_archive_percent of the
        active students (`archive_count`: the preview's archive rows)."""
        policy.require(policy.missing_for_import(actor, self.kind.name))
        self._require((Status.READY,), "start")
        if (figures := self.archive_threshold(archive_count)) is not None:
            raise change_threshold_exceeded(figures)
        self.started_by = actor
        self._become(Status.QUEUED)

    def begin_running(self, now: datetime) -> None:
        self._become(Status.RUNNING)
        self.started_at = now

    def cancel(self, now: datetime) -> None:
        """Rows already applied stay applied; chunks already sent are still applied and reported."""
        self._require(tuple(UNFINISHED), "cancel")
        self._become(Status.CANCELLED)
        self.finished_at = now

    def phase_answered(self, now: datetime, archive_count: int = 0) -> None:
        """Every chunk of the phase has answered: after the preview the job is ready (queued when it
        was started with the upload and its leavers stay under the threshold), after the apply it is
        completed."""
        if self.phase is Phase.PREVIEW:
            if self.start_when_ready and self.archive_threshold(archive_count) is None:
                self._become(Status.QUEUED)
                return
            self.start_when_ready = False  # over the threshold: it waits for a PATCH and a start
            self._become(Status.READY)
        elif self.phase is Phase.APPLY:
            self._become(Status.COMPLETED)
            self.finished_at = now

    def rows_expire(self, now: datetime) -> None:
        """Its row results were deleted (the retention of finished jobs): they are no longer shown;
        the job and its counts stay."""
        self.rows_deleted_at = now

    def require_rows(self) -> None:
        """Gone (410 rows_expired) once its row results were deleted."""
        if self.rows_deleted_at is not None:
            raise Gone("rows_expired", f"The row results of import {self.id} were deleted on "
                       f"{_aware(self.rows_deleted_at).date().isoformat()}, after the retention period; the "
                       "job and its counts are kept.", {"id": self.id, "rows_deleted_at": _aware(
                           self.rows_deleted_at).isoformat().replace("+00:00", "Z")})

    def actor_for(self, phase: Phase) -> Actor:
        """Who the rows are decided for: the uploader in the preview, the starter when applied."""
        if phase is Phase.PREVIEW:
            return self.created_by
        return self.started_by or Actor("", frozenset())

    def chunk_options(self) -> dict[str, Any]:
        """The settings a chunk carries to the service that decides its rows."""
        return {name: getattr(self.settings, name) for name in self.kind.forwarded_settings}

    def _require(self, allowed: tuple[Status, ...], doing: str) -> None:
        if self.status not in allowed:
            raise Conflict("invalid_state", f"Cannot {doing} a job that is {self.status}.", {"status": self.status})

    def _become(self, status: Status) -> None:
        if status not in TRANSITIONS[self.status]:
            raise Conflict("invalid_state", f"A job that is {self.status} cannot become {status}.",
                           {"status": self.status})
        self.status = status


def settle_for_kind(settings: ImportSettings, kind: ImportKind) -> None:
    """The settings as this kind takes them: those it does not take held at their only value, those
    it needs present."""
    for name, value in kind.fixed_settings.items():
        setattr(settings, name, value)
    for name in kind.required_settings:
        if not getattr(settings, name):
            raise invalid_option(name, f"An import of {kind.name} needs the {name} option.", given=False)


def explain_changes_since_preview(plan: list[dict] | None, results: list[dict]) -> None:
    """A row whose outcome differs from its preview says so."""
    for planned, done in zip(plan or [], results, strict=False):  # no preview with start=true
        if planned["action"] != done["action"]:
            done.setdefault("messages", []).append(catalogue.note("changed_since_preview", planned=planned["action"],
                                                   done=done["action"]))


def unanswered_rows(rows: list[RowIn], phase: Phase) -> list[dict]:
    """The outcome of a chunk given up on: every row an error that says what is known."""
    message = catalogue.note("no_answer", attempts=MAX_CHUNK_SENDS) if phase is Phase.PREVIEW \
        else catalogue.note("no_answer_applied", attempts=MAX_CHUNK_SENDS)
    return [{"line": row.line, "action": "error", "messages": [message], "applied": False, "reason": NO_ANSWER,
             "params": {"attempts": MAX_CHUNK_SENDS}} for row in rows]


def check_leavers_options(settings: ImportSettings) -> None:
    """archive_missing only where the file is the whole list of students: a synchronize of students."""
    if settings.archive_missing and not (settings.mode == "synchronize" and settings.as_student):
        raise invalid_option("archive_missing", "archive_missing needs mode synchronize and as_student: only a "
                                                "file of every student says who has left.")


def change_threshold_exceeded(figures: dict[str, Any]) -> Conflict:
    return Conflict("change_threshold_exceeded",
                    f"This import would archive {figures['count']} of the {figures['active']} active students "
                    f"({figures['percent']}%), more than max_archive_percent ({figures['max']}%). Check the file, "
                    "or raise max_archive_percent with PATCH.", figures)


def kind_named(name: str | None) -> ImportKind:
    if name not in KINDS:
        raise invalid_option("kind", f"kind must be one of {', '.join(KINDS)}.", value=name, allowed=list(KINDS))
    return KINDS[name]


def invalid_option(name: str, message: str, value: Any = None, **details: Any) -> InvalidInput:
    """The option `name` is refused; with what was given (`value`, when it may be shown) and what it
    takes (`allowed` values, or the kind `expected`), so that the message can say so. `given=False`
    says the option was not given at all (the message says it is missing)."""
    shown = shown_value(value)
    return InvalidInput("invalid_option", message, field=name, **({"value": shown} if shown is not None else {}),
                        **details)


def apply_options(settings: ImportSettings, kind: ImportKind, options: Mapping[str, str]) -> bool:
    """Change `settings` by the given multipart options; returns the `start` option."""
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise invalid_option(unknown[0], f"Unknown option {unknown[0]!r}.")
    if "delimiter" in options:
        settings.delimiter = _optional(options["delimiter"], normalize_delimiter, "delimiter",
                                       "delimiter must be tab, semicolon or comma.", DELIMITER_NAMES)
    if "encoding" in options:
        settings.encoding = _optional(options["encoding"], normalize_encoding, "encoding",
                                      "encoding must be utf-8, utf-8-sig, cp1252, mac-roman, cp850 or utf-16.",
                                      ENCODING_NAMES)
    if "has_header" in options:
        settings.has_header = parse_flag(options["has_header"], "has_header")
    if "mapping" in options:
        settings.mapping = parse_mapping(options["mapping"], kind)
    if "mode" in options:
        if not isinstance(options["mode"], str) or options["mode"] not in MODES:
            raise invalid_option("mode", f"mode must be one of {', '.join(MODES)}.", value=options["mode"],
                                 allowed=list(MODES))
        settings.mode = options["mode"]
    if "as_student" in options:
        settings.as_student = parse_flag(options["as_student"], "as_student")
    if "login_method" in options:
        method = options["login_method"]
        if not isinstance(method, str) or method.strip().lower() not in (*LOGIN_METHODS, ""):
            raise invalid_option("login_method", f"login_method must be one of {', '.join(LOGIN_METHODS)}.",
                                 value=method, allowed=list(LOGIN_METHODS))
        settings.login_method = method.strip().lower() or "password"
    if "archive_missing" in options:
        settings.archive_missing = parse_flag(options["archive_missing"], "archive_missing")
    if "max_archive_percent" in options:
        settings.max_archive_percent = parse_percent(options["max_archive_percent"], "max_archive_percent")
    if "schedule_project" in options:
        project = options["schedule_project"].strip() if isinstance(options["schedule_project"], str) else None
        if project is None or (project and not is_code(project)):
            raise invalid_option("schedule_project", "schedule_project must be a schedule project's code.",
                                 value=options["schedule_project"], expected="code")
        settings.schedule_project = project or None
    return parse_flag(options.get("start", "false"), "start")


def parse_flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    raise invalid_option(name, f"{name} must be true or false.", value=value, allowed=["true", "false"])


def parse_percent(value: Any, name: str) -> int:
    if isinstance(value, str) and value.strip() == "":
        return DEFAULT_MAX_ARCHIVE_PERCENT
    refused = invalid_option(name, f"{name} must be a whole number from 0 to 100.", value=value,
                             expected="whole_number_between", minimum=0, maximum=100)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise refused
    try:
        number = int(value)
    except ValueError:
        raise refused from None
    if not 0 <= number <= 100:
        raise refused
    return number


def parse_mapping(raw: Any, kind: ImportKind) -> dict[str, str]:
    try:
        mapping = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise invalid_option("mapping", "mapping must be a JSON object: column header or index → field.",
                             expected="mapping") from None
    if not isinstance(mapping, dict) or not all(isinstance(value, str) for value in mapping.values()):
        raise invalid_option("mapping", "mapping must be a JSON object: column header or index → field.",
                             expected="mapping")
    allowed = (*kind.fields, IGNORE)
    for column, name in mapping.items():
        if name not in allowed:
            raise invalid_option("mapping", f"Column {column!r} names unknown field {name!r}; "
                                 f"fields are {', '.join(allowed)}.", value=name, allowed=list(allowed))
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
            {"missing": missing, "headers": [header for header in headers[:8] if header]},
        )
    return columns


def settings_mapping(columns: list[Column]) -> dict[str, str]:
    """The mapping as the job shows it: by header text, by index where a header is empty or repeated."""
    headers = [column.header for column in columns]
    return {
        (column.header if column.header and headers.count(column.header) == 1 else str(column.index)): column.field
        for column in columns
    }


def job_not_found(job_id: str) -> NotFound:
    return NotFound("import_not_found", f"No import has id {job_id!r}.", {"id": job_id})


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _optional(value: str, normalize, name: str, message: str, allowed: tuple[str, ...]):
    if not isinstance(value, str):
        raise invalid_option(name, message, allowed=list(allowed))
    if value.strip(" \r\n") == "":
        return None  # detect (a tab is a delimiter, not blank)
    normalized = normalize(value)
    if normalized is None:
        raise invalid_option(name, message, value=value, allowed=list(allowed))
    return normalized
