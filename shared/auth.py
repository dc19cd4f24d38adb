"""Signed, expiring access tokens and the right checks every service applies to its endpoints.

A token carries the user's code and effective rights as they were when it was issued, so any
service can check a request without asking the users service; tokens therefore live at most an hour.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace

import jwt
from flask import current_app, g, request

from shared.client_address import client_address
from shared.errors import Unauthorized
from shared.policy import Actor, insufficient_rights
from shared.rights import RIGHTS
from shared.signed_links import link_signer

ALGORITHM = "HS256"
ISSUER = "portal"
TOKEN_LIFETIME_SECONDS = 3600


def issue_token(secret: str, code: str, rights: list[str] | frozenset[str],
                lifetime: int = TOKEN_LIFETIME_SECONDS) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": code,
        "rights": sorted(rights),
        "iat": now,
        "exp": now + min(lifetime, TOKEN_LIFETIME_SECONDS),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Actor:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token_expired", "The access token has expired; ask for a new one.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("invalid_token", "The access token is not valid.") from None
    rights = claims.get("rights")
    if not isinstance(rights, list) or not isinstance(claims["sub"], str):
        raise Unauthorized("invalid_token", "The access token is not valid.")
    return Actor(code=claims["sub"], rights=frozenset(rights))


def current_actor() -> Actor:
    """The caller of this request, from its Bearer token (401 when missing or invalid)."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("missing_token", "Send an access token: Authorization: Bearer <token>.")
        client = client_address(request.environ, current_app.extensions["settings"].trusted_proxies)
        g.actor = replace(verify_token(current_app.config["SECRET_KEY"], token.strip()), client=client)
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
