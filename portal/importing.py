"""`portal import users FILE`: upload, show what was detected and planned, confirm, follow the
progress, summarise. Talks only to the public API, so it works against any portal."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from portal.client import ApiError, PortalClient
from portal.discovery import Found
from portal.session import CannotStart, Login, open_session
from portal.texts import say

DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}
ACTIONS = ("create", "update", "unchanged", "skip", "error", "archive")
POLL_SECONDS = 0.3
BAR_WIDTH = 30
FIRST_ERRORS = 10


def run_import(args, found: Found, login: Login) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CannotStart(say("cli_no_such_file", path=path))
    client = open_session(found, login)
    status, job = client.upload("/api/v1/imports", _options(args), path.name, path.read_bytes())
    if status != 202:
        raise ApiError(status, job)
    job = _wait_while(client, job, ("analyzing",), say("cli_analysing"))
    if job["status"] == "failed":
        print(say("cli_cannot_import", message=job["error"]["message"], code=job["error"]["code"]))
        return 1
    _show_preview(job)
    if not args.yes and not _confirm(say("cli_start_question")):
        print(say("cli_not_started", id=job["id"]))
        return 0
    client.call("POST", f"/api/v1/imports/{job['id']}/start")
    job = _wait_while(client, client.call("GET", f"/api/v1/imports/{job['id']}"), ("queued", "running"),
                      say("cli_importing"))
    return _summarise(client, job)


def _options(args) -> dict:
    """The multipart options of the upload, as the contract names them."""
    options: dict = {"kind": args.kind}
    if args.kind == "users":
        options.update(mode=args.mode, as_student=args.as_student)
        if args.login_method:
            options["login_method"] = args.login_method
        if args.archive_missing:
            options["archive_missing"] = True
        if args.max_archive_percent is not None:
            options["max_archive_percent"] = args.max_archive_percent
    else:
        options["schedule_project"] = args.project
    if args.delimiter:
        options["delimiter"] = args.delimiter
    if args.encoding:
        options["encoding"] = args.encoding
    if args.no_header:
        options["has_header"] = False
    if args.map:
        mapping = {}
        for item in args.map:
            column, _, field = item.partition("=")
            if not field:
                raise SystemExit(say("cli_map_needs_field", item=item))
            mapping[column] = field
        options["mapping"] = mapping
    return options


def _wait_while(client: PortalClient, job: dict, statuses: tuple[str, ...], label: str) -> dict:
    while job["status"] in statuses:
        _draw_progress(label, job)
        time.sleep(POLL_SECONDS)
        job = client.call("GET", f"/api/v1/imports/{job['id']}")
    _draw_progress(label, job)
    print()
    return job


def _draw_progress(label: str, job: dict) -> None:
    done, total = job["progress"]["processed"], job["progress"]["total"] or 0
    if job["status"] == "analyzing" or not total:
        sys.stdout.write(f"\r{label}... {_status(job['status'])}")
    else:
        filled = int(BAR_WIDTH * done / total)
        rows = say("cli_rows_done", done=done, total=total)
        sys.stdout.write(f"\r{label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {rows}")
    sys.stdout.flush()


def _show_preview(job: dict) -> None:
    settings = job["settings"]
    print(say("cli_file", filename=job["filename"], rows=job["total_rows"]))
    target = say("cli_users_target", mode=settings["mode"], as_student=_yes_no(settings["as_student"])) \
        if job["kind"] == "users" else say("cli_enrollments_target", project=settings["schedule_project"])
    delimiter = settings["delimiter"]
    named = say(f"cli_delimiter_{DELIMITER_NAMES[delimiter]}") if delimiter in DELIMITER_NAMES else delimiter
    print(say("cli_layout", delimiter=named, encoding=settings["encoding"], target=target))
    if settings.get("login_method"):
        print(say("cli_login_method", login_method=settings["login_method"]))
    if settings.get("archive_missing"):
        print(say("cli_archive_missing", percent=settings.get("max_archive_percent", 10)))
    print(say("cli_columns"))
    for column in job["columns"]:
        samples = ", ".join(column["samples"])
        header = column["header"] or say("cli_no_header")
        print(f"  {column['index']:>3}  {header:<24} → {column['field']:<12} {samples}")
    print(say("cli_planned", counts=_counts(job["counts"])))


def _summarise(client: PortalClient, job: dict) -> int:
    print(say("cli_finished", status=_status(job["status"]), counts=_counts(job["counts"])))
    problems = client.call("GET", f"/api/v1/imports/{job['id']}/rows?action=error&limit={FIRST_ERRORS}")["items"]
    for row in problems:
        print(say("cli_row_problem", line=row["line"], messages=" ".join(row["messages"])))
    if job["counts"]["error"] + job["counts"]["skip"]:
        # The signed link opens in a browser without the token, for a few minutes (in the command's
        # language: the portal made it for the language the command asked in).
        link = job["errors_csv_url"]
        print(say("cli_errors_link", time=_expiry(link), url=f"{client.base_url.rstrip('/')}{link}"))
    return 0 if job["status"] == "completed" else 1


def _expiry(link: str) -> str:
    expires = parse_qs(urlsplit(link).query).get("expires", ["0"])[0]
    return time.strftime("%H:%M", time.localtime(int(expires)))


def _counts(counts: dict) -> str:
    return "  ".join(f"{say('cli_action_' + action)} {counts[action]}" for action in ACTIONS if action in counts)


def _status(status: str) -> str:
    return say(f"cli_status_{status}")


def _yes_no(value: bool) -> str:
    return say("cli_yes" if value else "cli_no")


def _confirm(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "j", "ja")
