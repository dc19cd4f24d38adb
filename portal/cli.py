"""The `portal` command: run the system, create the first application manager, inspect events."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from portal import texts
from portal.texts import say
from shared.config import Settings
from shared.private_files import keep_new_files_private

LOGIN_METHODS = ("password", "sso", "none")


def main(argv: list[str] | None = None) -> int:
    """Speaks Dutch unless --lang en or the locale is English (see portal/texts.py), --help included."""
    texts.use(texts.chosen_language(sys.argv[1:] if argv is None else argv, os.environ))
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 2
    return args.action(args) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description=say("cli_help_description"))
    _add_language_option(parser, texts.language())
    commands = parser.add_subparsers(title=say("cli_help_commands"))

    run = commands.add_parser("run", help=say("cli_help_run"), description=say("cli_help_run_description"))
    run.add_argument("--verbose", action="store_true", help=say("cli_help_verbose"))
    run.set_defaults(action=_run)

    admin = commands.add_parser("create-admin", help=say("cli_help_create_admin"),
                                description=say("cli_help_create_admin_description"))
    admin.add_argument("--code", default=None, help=say("cli_help_admin_code"))
    admin.add_argument("--password", default=None, help=say("cli_help_admin_password"))
    admin.set_defaults(action=_create_admin)

    migrate = commands.add_parser("migrate", help=say("cli_help_migrate"),
                                  description=say("cli_help_migrate_description"))
    migrate.set_defaults(action=_migrate)

    importing = commands.add_parser("import", help=say("cli_help_import"),
                                    description=say("cli_help_import_description"))
    kinds = importing.add_subparsers(title=say("cli_help_kinds"), dest="kind", required=True)
    users = kinds.add_parser("users", help=say("cli_help_users"))
    users.add_argument("file", help=say("cli_help_users_file"))
    users.add_argument("--mode", choices=("import", "update", "synchronize"), default="import",
                       help=say("cli_help_mode"))
    users.add_argument("--as-student", action="store_true", help=say("cli_help_as_student"))
    users.add_argument("--login-method", choices=LOGIN_METHODS, help=say("cli_help_login_method"))
    users.add_argument("--archive-missing", action="store_true", help=say("cli_help_archive_missing"))
    users.add_argument("--max-archive-percent", type=_percent, metavar="N", help=say("cli_help_max_archive_percent"))
    enrollments = kinds.add_parser("enrollments", help=say("cli_help_enrollments"))
    enrollments.add_argument("file", help=say("cli_help_enrollments_file"))
    enrollments.add_argument("--project", required=True, help=say("cli_help_project"))
    for parser_of_kind in (users, enrollments):
        _add_import_options(parser_of_kind)

    login = commands.add_parser("login", help=say("cli_help_login"), description=say("cli_help_login_description"))
    login.add_argument("--url", help=say("cli_help_url"))
    login.add_argument("--code", help=say("cli_help_login_code"))
    login.add_argument("--password-stdin", action="store_true", help=say("cli_help_password_stdin"))
    login.set_defaults(action=_login)

    logout = commands.add_parser("logout", help=say("cli_help_logout"),
                                 description=say("cli_help_logout_description"))
    logout.add_argument("--url", help=say("cli_help_url"))
    logout.set_defaults(action=_logout)

    cli = commands.add_parser("redis-cli", help=say("cli_help_redis_cli"),
                              description=say("cli_help_redis_cli_description"))
    cli.add_argument("arguments", nargs=argparse.REMAINDER)
    cli.set_defaults(action=_redis_cli)

    events = commands.add_parser("events", help=say("cli_help_events"))
    event_commands = events.add_subparsers(title=say("cli_help_commands"), dest="events_command", required=True)
    replay = event_commands.add_parser("replay", help=say("cli_help_replay"),
                                       description=say("cli_help_replay_description"))
    replay.add_argument("--since", required=True, type=_moment, metavar="DATE-TIME", help=say("cli_help_since"))
    replay.set_defaults(action=_events_replay)
    for subcommand in (run, admin, migrate, importing, users, enrollments, login, logout, events, replay):
        _add_language_option(subcommand, argparse.SUPPRESS)
    return parser


def _add_language_option(parser: argparse.ArgumentParser, default: str) -> None:
    """--lang is read before parsing (the help is in that language too); it is accepted everywhere."""
    parser.add_argument("--lang", choices=("nl", "en"), default=default, help=say("cli_help_lang"))


def _percent(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 0 <= int(value) <= 100:
        raise argparse.ArgumentTypeError(say("cli_not_a_percentage", value=value))
    return int(value)


def _moment(value: str):
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli_not_a_moment", value=value)) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(say("cli_moment_without_zone", value=value))
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
    print(say("cli_replayed", count=replayed, stream=EVENT_STREAM, since=args.since.isoformat()))
    return 0


def _add_import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delimiter", help=say("cli_help_delimiter"))
    parser.add_argument("--encoding", help=say("cli_help_encoding"))
    parser.add_argument("--no-header", action="store_true", help=say("cli_help_no_header"))
    parser.add_argument("--map", action="append", metavar="COLUMN=FIELD", help=say("cli_help_map"))
    parser.add_argument("--yes", "-y", action="store_true", help=say("cli_help_yes"))
    parser.add_argument("--url", help=say("cli_help_url"))
    parser.add_argument("--token", help=say("cli_help_token"))
    parser.add_argument("--password-stdin", action="store_true", help=say("cli_help_password_stdin"))
    parser.add_argument("--code", help=say("cli_help_code"))
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
        print(say("cli_refused", error=error), file=sys.stderr)
        return 1
    except OSError as error:
        print(say("cli_lost_portal", url=found.url, error=error), file=sys.stderr)
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
            raise CannotStart(say("cli_login_no_terminal"))
        wait_until_ready(found)
        code, password = credentials()
        client = PortalClient(found.url, timeout=30, language=texts.language())
        client.login(code, password)
        if not client.refresh_token:
            raise CannotStart(say("cli_no_refresh_token", url=found.url))
        with store.locked():
            replaced = store.replace(found.url, code, client.refresh_token)
        if replaced:
            _end_quietly(client, replaced)
    except CannotStart as problem:
        print(problem, file=sys.stderr)
        return 2
    except ApiError as error:
        print(say("cli_login_refused", error=error), file=sys.stderr)
        return 1
    except OSError as error:
        print(say("cli_lost_portal", url=found.url, error=error), file=sys.stderr)
        return 1
    print(say("cli_logged_in", url=found.url, code=code, path=store.path))
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
        print(say("cli_no_session", url=found.url))
        return 0
    with store.locked():
        stored = store.get(found.url)
        if stored is None:
            print(say("cli_no_session", url=found.url))
            return 0
        try:
            PortalClient(found.url, timeout=10, language=texts.language()).log_out(stored["refresh_token"])
            problem = None
        except (ApiError, OSError) as error:
            problem = getattr(error, "reason", None) or error
        store.forget(found.url)
    if problem is not None:
        print(say("cli_logout_failed", url=found.url, source=found.source, problem=problem), file=sys.stderr)
        return 1
    print(say("cli_logged_out", url=found.url))
    return 0


def _run(args) -> int:
    from portal.embedded import run

    return run(verbose=args.verbose)


def _migrate(_args) -> int:
    from portal.embedded import migrate_all

    keep_new_files_private()  # SQLite files, when the databases are the embedded defaults
    migrate_all(Settings.from_env())
    print(say("cli_migrated"))
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
        print(say("cli_admin_exists", code=code))
        return 0
    password = args.password or settings.admin_password
    generated = handlers.ensure_application_manager(service.unit_of_work(), code, password)
    print(say("cli_admin_created", code=code))
    if generated:
        print(say("cli_admin_password", password=generated))
    return 0


def _redis_cli(args) -> int:
    import redis

    from portal.discovery import RUN_FILE, redis_url
    from shared.config import data_dir_of
    from shared.redis_client import primary_url, redacted

    found = redis_url(os.environ)
    if found is None:
        print(say("cli_no_redis", run_file=data_dir_of(os.environ) / RUN_FILE), file=sys.stderr)
        return 2
    try:
        url = primary_url(found.url)
    except (ValueError, redis.RedisError) as error:
        print(say("cli_no_redis_primary", url=redacted(found.url), error=error), file=sys.stderr)
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
