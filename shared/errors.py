"""Errors with a stable machine-readable code; each HTTP layer turns them into the one JSON shape."""

from __future__ import annotations

from typing import Any


class PortalError(Exception):
    status = 400
    headers: dict[str, str] = {}  # a kind's own headers (read only), such as a 503's Retry-After

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        # Sent with the answer: the kind's own, or these (a 429's Retry-After).
        self.headers = dict(type(self).headers) if headers is None else headers

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(PortalError):
    status = 400


class Unauthorized(PortalError):
    status = 401


class Forbidden(PortalError):
    status = 403


class NotFound(PortalError):
    status = 404


class Conflict(PortalError):
    status = 409


class TooManyRequests(PortalError):
    status = 429


class Gone(PortalError):
    status = 410


class PayloadTooLarge(PortalError):
    status = 413


class UnsupportedMediaType(PortalError):
    status = 415


class ServiceUnavailable(PortalError):
    status = 503
    headers = {"Retry-After": "1"}  # a passing outage: ask again soon


class InvalidInput(PortalError):
    """Validation failed; `details["field"]` names the offending field."""

    status = 422

    def __init__(self, code: str, message: str, field: str | None = None, **details: Any):
        if field is not None:
            details["field"] = field
        super().__init__(code, message, details)


SHOWN_VALUE_LENGTH = 60


def shown_value(value: Any) -> Any:
    """A value as an error may repeat it to say what was wrong: a number, a truth value or a text (cut
    short); None for anything else (a file, a list), which is not repeated."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= SHOWN_VALUE_LENGTH else value[:SHOWN_VALUE_LENGTH - 1] + "…"
    return None
