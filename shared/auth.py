"""Signed, expiring access tokens and the right checks every service applies to its endpoints.

A token carries the user's code and effective rights as they were when it was issued, and the
session it belongs to (`sid`), so any service can check a request without asking the users
service: tokens live at most 15 minutes, and a session the users service ended is refused within
a second by every service (`shared/revocation.py`).
"""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass, replace

import jwt
from flask import current_app, g, request

from shared.client_address import client_address
from shared.errors import Unauthorized
from shared.policy import Actor, insufficient_rights
from shared.rights import RIGHTS
from shared.signed_links import link_signer

ALGORITHM = "HS256"
ISSUER = "portal"
AUDIENCE = "portal-api"
TOKEN_LIFETIME_SECONDS = 900
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud", "jti", "sid"]


@dataclass(frozen=True)
class TokenClaims:
    """What a verified access token says: who, with which rights, in which session, since when."""

    actor: Actor
    session_id: str
    issued_at: int


def issue_token(secret: str, code: str, rights: list[str] | frozenset[str], session_id: str | None = None,
                lifetime: int = TOKEN_LIFETIME_SECONDS) -> str:
    """An access token of session `session_id` (a fresh id when None: a token outside any stored
    session, as tests make); it lives `lifetime` seconds, never more than 15 minutes."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": code,
        "sid": session_id or secrets.token_urlsafe(16),
        "jti": secrets.token_urlsafe(16),
        "rights": sorted(rights),
        "iat": now,
        "exp": now + min(lifetime, TOKEN_LIFETIME_SECONDS),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Actor:
    return read_token(secret, token).actor


def read_token(secret: str, token: str) -> TokenClaims:
    """The claims of a token signed with `secret` for this portal, not expired, living at most
    15 minutes; `401 token_expired` or `401 invalid_token` otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token_expired", "The access token has expired; ask for a new one.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("invalid_token", "The access token is not valid.") from None
    rights, code, session_id = claims.get("rights"), claims["sub"], claims["sid"]
    issued_at, expires_at = claims["iat"], claims["exp"]
    if not isinstance(rights, list) or not isinstance(code, str) or not isinstance(session_id, str) \
            or not isinstance(claims["jti"], str) or not all(isinstance(right, str) for right in rights) \
            or not isinstance(issued_at, int) or not isinstance(expires_at, int) \
            or expires_at - issued_at > TOKEN_LIFETIME_SECONDS:
        raise Unauthorized("invalid_token", "The access token is not valid.")
    return TokenClaims(Actor(code=code, rights=frozenset(rights)), session_id, issued_at)


def current_claims() -> TokenClaims:
    """The verified claims of this request's Bearer token (401 when missing, invalid or revoked;
    503 when the service cannot tell whether it was revoked)."""
    if "claims" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("missing_token", "Send an access token: Authorization: Bearer <token>.")
        claims = read_token(current_app.config["SECRET_KEY"], token.strip())
        revocations = current_app.extensions.get("revocations")
        if revocations is not None:
            revocations.check(claims.session_id)
        g.claims = claims
    return g.claims


def current_actor() -> Actor:
    """The caller of this request, from its Bearer token (401 when missing, invalid or revoked), with
    the client's address (through trusted proxies) for the audit trail."""
    if "actor" not in g:
        client = client_address(request.environ, current_app.extensions["settings"].trusted_proxies)
        g.actor = replace(current_claims().actor, client=client)
    return g.actor


def require_right(right: str, allow_self_arg: str | None = None, signed_link: bool = False):
    """Refuse the request unless the caller holds `right`.

    With `allow_self_arg`, a caller may also act on their own record: the view argument of that
    name equal to the caller's code (a student may read their own user and rights).
    With `signed_link` (downloads), a request carrying a `signature` parameter is judged by that
    alone: a link signed for exactly this path (shared/signed_links.py) and not expired opens it.
    """
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}")

    def decorator(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if signed_link and "signature" in request.args:
                link_signer(current_app.config["SECRET_KEY"]).check(
                    request.path, request.args.get("expires"), request.args["signature"])
                return view(*args, **kwargs)
            actor = current_actor()
            own_record = allow_self_arg is not None and kwargs.get(allow_self_arg) == actor.code
            if right not in actor.rights and not own_record:
                raise insufficient_rights([right])
            return view(*args, **kwargs)

        checked.required_right = right  # lets a test list every route with the right it needs
        checked.allows_self = allow_self_arg
        checked.signed_link = signed_link
        return checked

    return decorator
