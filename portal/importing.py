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

DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}
POLL_SECONDS = 0.3
BAR_WIDTH = 30
FIRST_ERRORS = 10


def run_import(args, found: Found, login: Login) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CannotStart(f"No such file: {path}")
    client = open_session(found, login)
    status, job = client.upload("/api/v1/imports", _options(args), path.name, path.read_bytes())
    if status != 202:
        raise ApiError(status, job)
    job = _wait_while(client, job, ("analyzing",), "Analysing")
    if job["status"] == "failed":
        print(f"The file cannot be imported: {job['error']['message']} ({job['error']['code']})")
        return 1
    _show_preview(job)
    if not args.yes and not _confirm("Start the import?"):
        print(f"Not started. The job {job['id']} stays ready; start it later with "
              f"POST /api/v1/imports/{job['id']}/start.")
        return 0
    client.call("POST", f"/api/v1/imports/{job['id']}/start")
    job = _wait_while(client, client.call("GET", f"/api/v1/imports/{job['id']}"), ("queued", "running"), "Importing")
    return _summarise(client, job)


def _options(args) -> dict:
    options = {"kind": args.kind}
    if args.kind == "users":
        options.update(mode=args.mode, as_student=args.as_student)
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
                raise SystemExit(f"--map needs COLUMN=FIELD, got {item!r}")
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
        sys.stdout.write(f"\r{label}... {job['status']}")
    else:
        filled = int(BAR_WIDTH * done / total)
        sys.stdout.write(f"\r{label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} rows")
    sys.stdout.flush()


def _show_preview(job: dict) -> None:
    settings = job["settings"]
    print(f"File:       {job['filename']} ({job['total_rows']} rows)")
    target = f"Mode: {settings['mode']}    As student: {settings['as_student']}" if job["kind"] == "users" \
        else f"Schedule project: {settings['schedule_project']}"
    print(f"Delimiter:  {DELIMITER_NAMES.get(settings['delimiter'], settings['delimiter'])}    "
          f"Encoding: {settings['encoding']}    {target}")
    print("Columns:")
    for column in job["columns"]:
        samples = ", ".join(column["samples"])
        print(f"  {column['index']:>3}  {column['header'] or '(no header)':<24} → {column['field']:<12} {samples}")
    print("Planned:    " + _counts(job["counts"]))


def _summarise(client: PortalClient, job: dict) -> int:
    print(f"Import {job['status']}: " + _counts(job["counts"]))
    problems = client.call("GET", f"/api/v1/imports/{job['id']}/rows?action=error&limit={FIRST_ERRORS}")["items"]
    for row in problems:
        print(f"  line {row['line']}: {' '.join(row['messages'])}")
    if job["counts"]["error"] + job["counts"]["skip"]:
        # The signed link opens in a browser without the token, for a few minutes.
        link = job["errors_csv_url"]
        print(f"All errors and skips (opens in a browser until {_expiry(link)}): {client.base_url.rstrip('/')}{link}")
    return 0 if job["status"] == "completed" else 1


def _expiry(link: str) -> str:
    expires = parse_qs(urlsplit(link).query).get("expires", ["0"])[0]
    return time.strftime("%H:%M", time.localtime(int(expires)))


def _counts(counts: dict) -> str:
    return "  ".join(f"{action} {counts[action]}" for action in ("create", "update", "unchanged", "skip", "error"))


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "j", "ja")
