"""How the CLI gets to work with a portal: decide how to log in (refusing at once when it cannot),
check that the portal answers, and only then ask for a password or log in.

Credentials, first that applies: --token / PORTAL_TOKEN; --password-stdin (one line of standard
input, the code from --code); the session `portal login` stored for the portal's URL;
PORTAL_ADMIN_PASSWORD; a prompt on the terminal. Without a terminal and without any of these the
command stops with the options to use, instead of waiting on a prompt nobody can answer. A stored
session the portal no longer accepts is forgotten, said so, and the next of these is used.
"""

from __future__ import annotations

import getpass
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from portal import texts
from portal.client import PortalClient
from portal.discovery import Found
from portal.saved_sessions import StoredSession
from portal.texts import say
from shared.config import DEFAULT_ADMIN_CODE

READY_WAIT_SECONDS = 60
HEALTH_TIMEOUT_SECONDS = 5


class CannotStart(Exception):
    """The command cannot begin: the message says why and what to do."""


@dataclass(frozen=True)
class Login:
    """A token to use as is, a stored session, or a way to get a code and password (called after the
    portal answered; with a stored session, only when the portal no longer accepts it)."""

    token: str | None = None
    credentials: Callable[[], tuple[str, str]] | None = None
    stored: StoredSession | None = None


def plan_login(token: str | None, code: str | None, password_stdin: bool, environ: Mapping[str, str],
               stdin: TextIO, stored: StoredSession | None = None) -> Login:
    token = token or environ.get("PORTAL_TOKEN")
    if token:
        return Login(token=token)
    if stored is not None and not password_stdin:
        return Login(stored=stored, credentials=_password_source(code, environ, stdin))
    credentials = plan_password(code, password_stdin, environ, stdin)
    if credentials is None:
        raise CannotStart(say("cli_no_terminal"))
    return Login(credentials=credentials)


def plan_password(code: str | None, password_stdin: bool, environ: Mapping[str, str], stdin: TextIO,
                  from_environment: bool = True) -> Callable[[], tuple[str, str]] | None:
    """Where a code and password will come from; None without a terminal or another source."""
    if password_stdin:
        password = _one_line(stdin)
        code = code or environ.get("PORTAL_ADMIN_CODE") or DEFAULT_ADMIN_CODE
        return lambda: (code, password)
    return _password_source(code, environ, stdin, from_environment)


def _password_source(code: str | None, environ: Mapping[str, str], stdin: TextIO,
                     from_environment: bool = True) -> Callable[[], tuple[str, str]] | None:
    code = code or environ.get("PORTAL_ADMIN_CODE") or DEFAULT_ADMIN_CODE
    if from_environment and environ.get("PORTAL_ADMIN_PASSWORD"):
        return lambda: (code, environ["PORTAL_ADMIN_PASSWORD"])
    if not stdin.isatty():
        return None
    return lambda: _ask(code)


def open_session(found: Found, login: Login, timeout: float = 60.0) -> PortalClient:
    wait_until_ready(found)
    client = PortalClient(found.url, login.token, timeout=timeout, language=texts.language())
    if login.token is not None:
        return client  # used as it is: --token or PORTAL_TOKEN
    if login.stored is not None and _resume(client, login.stored, login.credentials is not None):
        return client
    if login.credentials is None:
        raise CannotStart(say("cli_no_terminal"))
    client.login(*login.credentials())
    return client


def _resume(client: PortalClient, stored: StoredSession, password_next: bool) -> bool:
    """Go on with the stored session; False, having said why, when the portal does not accept it."""
    client.stored = stored
    if client.refresh():
        return True
    client.stored = None
    refused = client.stored_refused
    assert refused is not None
    said = [say("cli_stored_session_refused", url=client.base_url, problem=refused.problem),
            say("cli_stored_session_forgotten" if refused.forgotten else "cli_stored_session_kept")]
    if password_next:
        said.append(say("cli_password_instead"))
    print(" ".join(said), file=sys.stderr, flush=True)
    return False


def wait_until_ready(found: Found, patience: float = READY_WAIT_SECONDS) -> None:
    """GET /health: refuse at once when nothing answers or what answers is not a portal; wait a while
    for a portal that is still starting (its workers not yet up), saying so."""
    deadline = time.monotonic() + patience
    told = False
    while True:
        status, body = _health(found)
        if status == 200:
            return
        if not (status == 503 and isinstance(body, dict) and body.get("status") == "starting"):
            raise CannotStart(say("cli_not_a_portal", url=found.url, source=found.source, status=status) + "\n"
                              + say("cli_point_elsewhere"))
        if time.monotonic() > deadline:
            raise CannotStart(say("cli_not_ready", url=found.url, seconds=f"{patience:.0f}",
                                  reasons="; ".join(body.get("reasons") or [])))
        if not told:
            print(say("cli_starting", url=found.url), flush=True)
            told = True
        time.sleep(1)


def _health(found: Found) -> tuple[int, object]:
    try:
        return PortalClient(found.url, timeout=HEALTH_TIMEOUT_SECONDS).request("GET", "/health")
    except OSError as error:
        reason = getattr(error, "reason", None) or error
        raise CannotStart(say("cli_unreachable", url=found.url, source=found.source, reason=reason) + "\n"
                          + say("cli_point_elsewhere")) from None


def _one_line(stdin: TextIO) -> str:
    password = stdin.readline().rstrip("\r\n")
    if not password:
        raise CannotStart(say("cli_empty_password_stdin"))
    return password


def _ask(code: str) -> tuple[str, str]:
    code = input(say("cli_ask_code", code=code)).strip() or code
    return code, getpass.getpass(say("cli_ask_password"))
