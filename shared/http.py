"""Flask plumbing every service shares: the one JSON error shape, security headers, JSON bodies, list paging."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response, jsonify
from flask import request as current_request
from werkzeug.exceptions import HTTPException

from shared import catalogue
from shared.codes import CONTROL_CHARACTER
from shared.errors import BadRequest, NotFound, PayloadTooLarge, PortalError, ServiceUnavailable, UnsupportedMediaType
from shared.failures import INFRASTRUCTURE_ERRORS
from shared.openapi import build_document
from shared.rights import RIGHTS

MAX_JSON_BODY = 1024 * 1024
MAX_JSON_DEPTH = 32

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def register_error_handlers(app: Flask) -> None:
    """Every error leaves the service as {"error": {"code", "message", "details"}}."""

    @app.errorhandler(PortalError)
    def portal_error(error: PortalError):
        return jsonify(_in_readers_language(error).to_dict()), error.status, error.headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        code = _HTTP_CODES.get(status, "http_error")
        body = _in_readers_language(PortalError(code, error.description or error.name)).to_dict()
        # A 405 says which methods the resource takes (RFC 9110); werkzeug knows them.
        allowed = {name: value for name, value in error.get_headers() if name.lower() == "allow"}
        return jsonify(body), status, allowed

    def infrastructure_error(error: Exception):
        # A lock or statement timeout, a database or Redis out of reach: the request may well succeed
        # when asked again, and nothing is wrong with it.
        log.warning("%s %s: %s", current_request.method, current_request.path, error)
        unavailable = ServiceUnavailable("temporarily_unavailable", "The service cannot complete this request right "
                                         "now (its database or broker is busy or out of reach). Try again shortly.")
        return jsonify(_in_readers_language(unavailable).to_dict()), unavailable.status, unavailable.headers

    for kind in INFRASTRUCTURE_ERRORS:
        app.register_error_handler(kind, infrastructure_error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error")
        body = _in_readers_language(PortalError("internal_error", "An unexpected error occurred.")).to_dict()
        return jsonify(body), 500


def _in_readers_language(error: PortalError) -> PortalError:
    """The error with its message from the catalogue, in the language the request asks for (Dutch by
    default); the message it was raised with when the catalogue has none for its code."""
    error.message = message_in(error, catalogue.language(current_request.headers.get("Accept-Language")))
    return error


def message_in(error: PortalError, lang: str) -> str:
    """`error`'s message in `lang` from the catalogue; the one it was raised with when there is none."""
    code, params = _worded(error, lang)
    return catalogue.text(code, lang, params, fallback=error.message)


def _worded(error: PortalError, lang: str) -> tuple[str, dict[str, Any]]:
    """The catalogue code and parameters that word `error` for a person: a refusal for missing rights
    names them as the console's rights grid does ("het recht ‘Logboek bekijken’"), and a validation
    error the kind of value it expected ("een geheel getal"), not by their codes, which stay in the
    details for programs. An import option that was not given at all says it is missing."""
    details = error.details or {}
    if error.code == "invalid_option" and details.get("given") is False:
        return "invalid_option_missing", details
    missing = details.get("missing")
    if error.code == "insufficient_rights" and isinstance(missing, list) and missing \
            and all(right in RIGHTS for right in missing):
        return "insufficient_rights_named", {**details, "missing_named": catalogue.rights_in_words(missing, lang)}
    expected = details.get("expected")
    if isinstance(expected, str) and f"expected_{expected}" in catalogue.catalogue(lang):
        # A validation error names the kind of value it wanted by a code ("whole_number"); in words here.
        return error.code, {**details, "expected": catalogue.text(f"expected_{expected}", lang, details)}
    return error.code, details


SECURITY_HEADERS = {
    "Cache-Control": "no-store",  # answers carry personal data; no browser or proxy may keep them
    "X-Content-Type-Options": "nosniff",  # a CSV or JSON answer is never run as a script or page
    "Referrer-Policy": "no-referrer",  # URLs name students and projects
}


def register_security_headers(app: Flask) -> None:
    """Every response of `app`, errors, 404s, 405s and downloads included, carries SECURITY_HEADERS.

    A value the view set itself is kept, and a header is never sent twice."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def refuse_control_characters(app: Flask) -> None:
    """No path or query value of this API holds a control character (NUL, a line break, ...): such a
    request is refused before any view sees it (PostgreSQL cannot even compare a text with NUL)."""

    @app.before_request
    def refuse():
        if CONTROL_CHARACTER.search(current_request.path):
            raise NotFound("not_found", "No resource has that address.")
        for name, value in current_request.args.items(multi=True):
            if CONTROL_CHARACTER.search(name) or CONTROL_CHARACTER.search(value):
                raise invalid_parameter(name, f"{name} may not contain control characters.")


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 415/413/400 that says what is wrong with it: not JSON, over
    1 MB (whatever the service's upload limit) or nested deeper than 32 levels. Its fields are read
    by the view's typed request definition (`shared/api_types.py`)."""
    if not request.is_json:
        raise UnsupportedMediaType(
            "unsupported_media_type", "Send the body as application/json."
        )
    # The declared length first, so that an oversized body is not even read; then what came (chunked).
    if (request.content_length or 0) > MAX_JSON_BODY or len(raw := request.get_data(cache=True)) > MAX_JSON_BODY:
        raise PayloadTooLarge("payload_too_large", f"A JSON body may be at most {MAX_JSON_BODY // 1024} KB.")
    try:
        body = json.loads(raw or b"null", parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequest("malformed_json", f"The body is not valid JSON: {error}.") from None
    if not isinstance(body, dict):
        raise BadRequest("malformed_json", "The body must be a JSON object.")
    _check_nesting_and_texts(body)
    return body


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")


def _check_nesting_and_texts(body: dict[str, Any]) -> None:
    """No deeper than 32 levels, and no lone surrogate ("\\udb2b": Python's JSON reads it, but no
    database, hash or UTF-8 encoder takes it) in a text or a key."""
    pending: list[tuple[Any, int]] = [(body, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadRequest("malformed_json", f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _is_utf8(value):
            raise BadRequest("malformed_json", "The body holds a lone surrogate (\\ud800-\\udfff), no text.")


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def invalid_parameter(field: str, message: str) -> BadRequest:
    """A query value that is malformed or out of range (400, as the contract says)."""
    return BadRequest("invalid_parameter", message, {"field": field})


def page_of(items: list, limit: int | None = None, cursor_of: Callable[[Any], Any] | None = None,
            next_position: Any = None) -> Response:
    """Every list's answer, `{"items", "next_cursor"}`.

    A paged list reads `limit + 1` items: when the extra one came, the page is the first `limit` and
    `next_cursor` says where the next page starts, after `cursor_of(last item of the page)`. A list
    whose reader works out that position itself (an import's rows skip whole chunks) passes it as
    `next_position`. Otherwise the list is whole and `next_cursor` is null."""
    if next_position is not None:
        return jsonify(items=items, next_cursor=encode_cursor(next_position))
    if limit is None or cursor_of is None or len(items) <= limit:
        return jsonify(items=items, next_cursor=None)
    return jsonify(items=items[:limit], next_cursor=encode_cursor(cursor_of(items[limit - 1])))


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, fits: Callable[[Any], bool]) -> Any:
    """The position a cursor this list gave stands for; `fits` says whether a decoded value has the
    list's shape, so a cursor made by hand (or for another list) is a 400, never a failing query."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        value = None
    if value is None or not fits(value):
        raise BadRequest("invalid_cursor", "The cursor is not one this list gave.", {"field": "cursor"})
    return value


def is_code_cursor(value: Any) -> bool:
    """The cursor of a list ordered by code: the last code of the page before."""
    return isinstance(value, str) and 0 < len(value) <= 64 and "\x00" not in value


def add_service_endpoints(app: Flask, title: str, readiness: Callable[[], list[str]],
                          details: Callable[[], dict[str, Any]] | None = None) -> None:
    """Every service's `/health` (200 once `readiness()` has no reasons left, else 503 with them;
    with `details()`, what the service tells operators beside, under `details`) and its
    `/api/v1/openapi.json`, generated from its routes."""

    @app.get("/health")
    def health():
        reasons = readiness()
        extra = {"details": details()} if details is not None else {}
        return jsonify(status="starting" if reasons else "ok", reasons=reasons, **extra), 503 if reasons else 200

    @app.get("/api/v1/openapi.json")
    def openapi():
        return jsonify(build_document(app, title))
