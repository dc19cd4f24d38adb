"""The `portal` command: run the system, create the first application manager, inspect events."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from shared.config import Settings
from shared.private_files import keep_new_files_private

URL_HELP = ("the portal's base URL (default PORTAL_URL, else the running `portal run` found through "
            "PORTAL_DATA_DIR/run.json, else http://127.0.0.1:PORTAL_PORT)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 2
    return args.action(args) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Student onboarding backbone of the school portal.")
    commands = parser.add_subparsers(title="commands")

    run = commands.add_parser("run", help="run the whole system on this machine (embedded defaults)",
                              description="Start the embedded Redis (unless REDIS_URL is set), migrate the "
                              "databases, create the first application manager and run the gateway, "
                              "workers and relay until Ctrl-C. Settings come from the environment "
                              "(PORTAL_PORT, PORTAL_DATA_DIR, ...). The processes write to log files in "
                              "PORTAL_DATA_DIR/logs.")
    run.add_argument("--verbose", action="store_true",
                     help="let every process write here instead of to its log file")
    run.set_defaults(action=_run)

    admin = commands.add_parser("create-admin", help="create the first application manager",
                                description="Create an application manager in the users database "
                                "(USERS_DATABASE_URL). Without --password, PORTAL_ADMIN_PASSWORD is used, "
                                "else a password is generated and printed once.")
    admin.add_argument("--code", default=None, help="user code (default PORTAL_ADMIN_CODE or 'admin')")
    admin.add_argument("--password", default=None, help="password (default PORTAL_ADMIN_PASSWORD or generated)")
    admin.set_defaults(action=_create_admin)

    migrate = commands.add_parser("migrate", help="bring every service's database to the latest schema",
                                  description="Run the Alembic migrations of every service's database "
                                  "(USERS_DATABASE_URL, IMPORTER_DATABASE_URL, ENROLLMENTS_DATABASE_URL).")
    migrate.set_defaults(action=_migrate)

    importing = commands.add_parser("import", help="import a CSV file into the portal",
                                    description="Upload a file, show the detected settings and the planned "
                                    "actions, ask before starting, follow the progress and summarise.")
    kinds = importing.add_subparsers(title="kinds", dest="kind", required=True)
    users = kinds.add_parser("users", help="import users (students, employees, parents) from a CSV export")
    users.add_argument("file", help="the CSV file (tab, semicolon or comma separated)")
    users.add_argument("--mode", choices=("import", "update", "synchronize"), default="import",
                       help="import: add new users only; update: change existing only; synchronize: both")
    users.add_argument("--as-student", action="store_true", help="give every user the student type")
    enrollments = kinds.add_parser("enrollments", help="import department enrollments of students")
    enrollments.add_argument("file", help="the CSV file (tab or semicolon separated)")
    enrollments.add_argument("--project", required=True, help="the schedule project's code, e.g. 2026-2027")
    for parser_of_kind in (users, enrollments):
        _add_import_options(parser_of_kind)

    login = commands.add_parser("login", help="log in once and keep the session for later commands",
                                description="Log in to the portal (found as `portal import` finds it) and keep "
                                "the session's refresh token for that URL in $XDG_CONFIG_HOME/portal/sessions.json "
                                "(default ~/.config/portal/, only yours to read), so that later commands need no "
                                "password until the session ends (12 hours unused, or `portal logout`).")
    login.add_argument("--url", help=URL_HELP)
    login.add_argument("--code", help="the user code to log in with (default PORTAL_ADMIN_CODE or 'admin'; "
                       "asked on a terminal)")
    login.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input (no terminal needed)")
    login.set_defaults(action=_login)

    logout = commands.add_parser("logout", help="end the session `portal login` kept, and forget it",
                                 description="End the stored session on the portal and remove it from "
                                 "this machine; when the portal cannot be reached it is removed here all the same.")
    logout.add_argument("--url", help=URL_HELP)
    logout.set_defaults(action=_logout)

    cli = commands.add_parser("redis-cli", help="run redis-cli against the portal's Redis",
                              description="Runs the redis-cli shipped with the install against REDIS_URL "
                              "or the embedded Redis of `portal run`, e.g. "
                              "`portal redis-cli XRANGE portal:events - +`.")
    cli.add_argument("arguments", nargs=argparse.REMAINDER)
    cli.set_defaults(action=_redis_cli)

    events = commands.add_parser("events", help="operate on the event stream portal:events")
    event_commands = events.add_subparsers(title="commands", dest="events_command", required=True)
    replay = event_commands.add_parser(
        "replay", help="publish the users service's events again from its log, in order",
        description="Publish again, in their order and with their ids, the events of the users database's "
        "event log (USERS_DATABASE_URL) published at or after --since, to the stream portal:events of "
        "REDIS_URL; subscribers skip the ones they already handled. Run it where the services run.")
    replay.add_argument("--since", required=True, type=_moment, metavar="DATE-TIME",
                        help="ISO 8601 date and time with a zone, e.g. 2026-11-30T08:00:00Z")
    replay.set_defaults(action=_events_replay)
    return parser


def _moment(value: str):
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {value!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the zone too, e.g. {value}Z or {value}+01:00")
    return moment


def _events_replay(args) -> int:
    from services.users.bootstrap import build_service
    from shared.config import EVENT_STREAM

    settings = Settings.from_env()
    try:
        settings.require_redis_url()
    except RuntimeError as problem:
        print(problem, file=sys.stderr)
        return 2
    publisher = build_service(settings).publisher
    assert publisher is not None  # there is a REDIS_URL
    replayed = publisher.replay_since(args.since)
    print(f"Published {replayed} events again to {EVENT_STREAM}, in their order: every event of the users "
          f"log published since {args.since.isoformat()}.")
    return 0


def _add_import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delimiter", help="tab, semicolon or comma (default: detected)")
    parser.add_argument("--encoding", help="utf-8, utf-8-sig, cp1252, mac-roman, cp850 or utf-16 (default: detected)")
    parser.add_argument("--no-header", action="store_true", help="the first line is data, not headers")
    parser.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                        help="label a column (header text or 0-based index) with a field, or 'ignore'; repeatable")
    parser.add_argument("--yes", "-y", action="store_true", help="start without asking")
    parser.add_argument("--url", help=URL_HELP)
    parser.add_argument("--token", help="access token (default PORTAL_TOKEN; else the session of `portal login`, "
                        "else logs in with a code and password)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input (no terminal needed)")
    parser.add_argument("--code", help="the user code to log in with (default PORTAL_ADMIN_CODE or 'admin')")
    parser.set_defaults(action=_import)


def _import(args) -> int:
    from portal.client import ApiError
    from portal.discovery import portal_url
    from portal.importing import run_import
    from portal.saved_sessions import stored_session
    from portal.session import CannotStart, plan_login

    found = portal_url(args.url, os.environ)
    try:
        login = plan_login(args.token, args.code, args.password_stdin, os.environ, sys.stdin,
                           stored_session(os.environ, found.url))
        return run_import(args, found, login)
    except CannotStart as problem:
        print(problem, file=sys.stderr)
        return 2
    except ApiError as error:
        print(f"The portal refused: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Lost the portal at {found.url}: {error}", file=sys.stderr)
        return 1


def _login(args) -> int:
    from portal.client import ApiError, PortalClient
    from portal.discovery import portal_url
    from portal.saved_sessions import SessionStore, config_dir
    from portal.session import CannotStart, plan_password, wait_until_ready

    found = portal_url(args.url, os.environ)
    store = SessionStore(config_dir(os.environ))
    try:
        credentials = plan_password(args.code, args.password_stdin, os.environ, sys.stdin, from_environment=False)
        if credentials is None:
            raise CannotStart("No terminal to ask for a password: give it on standard input with --password-stdin "
                              "(and the code with --code).")
        wait_until_ready(found)
        code, password = credentials()
        client = PortalClient(found.url, timeout=30)
        client.login(code, password)
        if not client.refresh_token:
            raise CannotStart(f"The portal at {found.url} gave no refresh token; it has no sessions to keep.")
        with store.locked():
            replaced = store.replace(found.url, code, client.refresh_token)
        if replaced:
            _end_quietly(client, replaced)
    except CannotStart as problem:
        print(problem, file=sys.stderr)
        return 2
    except ApiError as error:
        print(f"The portal refused the login: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Lost the portal at {found.url}: {error}", file=sys.stderr)
        return 1
    print(f"Logged in to {found.url} as {code}. The session is kept in {store.path} (only yours to read) for "
          "later commands; it ends after 12 hours unused, or with `portal logout`.")
    return 0


def _end_quietly(client, refresh_token: str) -> None:
    """End the session a new login replaces: left alone, it would stay valid for 12 hours."""
    from portal.client import ApiError

    try:
        client.log_out(refresh_token)
    except (ApiError, OSError):
        pass


def _logout(args) -> int:
    from portal.client import ApiError, PortalClient
    from portal.discovery import portal_url
    from portal.saved_sessions import SessionStore, config_dir

    found = portal_url(args.url, os.environ)
    store = SessionStore(config_dir(os.environ))
    if not store.path.exists():
        print(f"No session stored for {found.url}; nothing to do.")
        return 0
    with store.locked():
        stored = store.get(found.url)
        if stored is None:
            print(f"No session stored for {found.url}; nothing to do.")
            return 0
        try:
            PortalClient(found.url, timeout=10).log_out(stored["refresh_token"])
            problem = None
        except (ApiError, OSError) as error:
            problem = getattr(error, "reason", None) or error
        store.forget(found.url)
    if problem is not None:
        print(f"Could not end the session on the portal at {found.url} ({found.source}): {problem}.\n"
              f"It is forgotten here, so nothing on this machine can use it; on the portal it ends by itself "
              "after 12 hours unused.", file=sys.stderr)
        return 1
    print(f"Logged out of {found.url}: the session has ended and is forgotten here.")
    return 0


def _run(args) -> int:
    from portal.embedded import run

    return run(verbose=args.verbose)


def _migrate(_args) -> int:
    from portal.embedded import migrate_all

    keep_new_files_private()  # SQLite files, when the databases are the embedded defaults
    migrate_all(Settings.from_env())
    print("Databases migrated.")
    return 0


def _create_admin(args) -> int:
    from services.users import handlers
    from services.users.bootstrap import build_service, migrate

    keep_new_files_private()  # SQLite files, when the databases are the embedded defaults
    settings = Settings.from_env()
    code = args.code or settings.admin_code
    migrate(settings)
    service = build_service(settings)
    with service.unit_of_work() as uow:
        exists = uow.users.get(code) is not None
    if exists:
        print(f"A user with code {code!r} exists already; nothing changed.")
        return 0
    password = args.password or settings.admin_password
    generated = handlers.ensure_application_manager(service.unit_of_work(), code, password)
    print(f"Created application manager {code!r}.")
    if generated:
        print(f"Password (shown once): {generated}")
    return 0


def _redis_cli(args) -> int:
    import redis

    from portal.discovery import RUN_FILE, redis_url
    from shared.config import data_dir_of
    from shared.redis_client import primary_url, redacted

    found = redis_url(os.environ)
    if found is None:
        print(f"No Redis known: no running `portal run` recorded in {data_dir_of(os.environ) / RUN_FILE} and "
              "REDIS_URL is not set. Start `portal run`, or give the PORTAL_DATA_DIR it was started with, "
              "or set REDIS_URL.", file=sys.stderr)
        return 2
    try:
        url = primary_url(found.url)
    except (ValueError, redis.RedisError) as error:
        print(f"Cannot find the Redis primary of {redacted(found.url)}: {error}", file=sys.stderr)
        return 2
    argv, env = redis_cli_command(url, os.environ)
    os.execve(argv[0], argv + args.arguments, env)


def redis_cli_command(url: str, environ: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """redis-cli's argv and environment for a Redis URL. The password goes in through REDISCLI_AUTH:
    every account on the machine can read a command line (ps), only its owner an environment."""
    from portal.embedded import redis_cli_binary

    parts = urlsplit(url)
    database = (parts.path or "/0").lstrip("/") or "0"
    argv = [redis_cli_binary(), "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379), "-n", database]
    if parts.username:
        argv += ["--user", unquote(parts.username)]
    env = dict(environ)
    if parts.password:
        env["REDISCLI_AUTH"] = unquote(parts.password)
    return argv, env


if __name__ == "__main__":
    sys.exit(main())
