"""Flask plumbing every service shares: the one JSON error shape, security headers, JSON bodies, list paging."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response, jsonify
from werkzeug.exceptions import HTTPException

from shared.errors import BadRequest, InvalidInput, PortalError, UnsupportedMediaType
from shared.openapi import build_document

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_JSON_BODY = 1024 * 1024

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
        return jsonify(error.to_dict()), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        code = _HTTP_CODES.get(status, "http_error")
        body = PortalError(code, error.description or error.name).to_dict()
        return jsonify(body), status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error")
        body = PortalError("internal_error", "An unexpected error occurred.").to_dict()
        return jsonify(body), 500


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


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 415/400 that says what is wrong with it."""
    if not request.is_json:
        raise UnsupportedMediaType(
            "unsupported_media_type", "Send the body as application/json."
        )
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest("malformed_json", f"The body is not valid JSON: {error}.") from None
    if not isinstance(body, dict):
        raise BadRequest("malformed_json", "The body must be a JSON object.")
    return body


def page_limit(args) -> int:
    raw = args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            "invalid_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.", field="limit"
        )
    return limit


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


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("invalid_cursor", "The cursor is not one this list gave.", field="cursor") from None


def parse_bool(value: str | None, field: str) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise InvalidInput("invalid_boolean", f"{field} must be true or false.", field=field)


def add_service_endpoints(app: Flask, title: str, schemas: dict[str, Any], readiness: Callable[[], list[str]]) -> None:
    """Every service's `/health` (200 once `readiness()` has no reasons left, else 503 with them)
    and its `/api/v1/openapi.json`, generated from its routes."""

    @app.get("/health")
    def health():
        reasons = readiness()
        return jsonify(status="starting" if reasons else "ok", reasons=reasons), 503 if reasons else 200

    @app.get("/api/v1/openapi.json")
    def openapi():
        return jsonify(build_document(app, title, schemas))
