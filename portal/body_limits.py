"""The gateway's limit on a request's body, by route, decided from its headers alone.

waitress reads a whole body (into memory, then a temporary file) before the application sees the
request, up to one `max_request_body_size` for every route. The upload route needs room for a file;
every other route takes JSON of at most 1 MB. So the limit is chosen per request as soon as its
first line is read: a 5 MB body sent to `/api/v1/auth/token` is refused before a byte of it is
received (by its Content-Length; a chunked one once it grows past 1 MB), with the contract's JSON
413, instead of being spooled to disk and then refused by the service.
"""

from __future__ import annotations

import json
from copy import copy

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import MultiSocketServer
from waitress.utilities import RequestEntityTooLarge

from shared.errors import PortalError
from shared.http import MAX_JSON_BODY, SECURITY_HEADERS

UPLOAD = ("POST", "/api/v1/imports")


class JsonPayloadTooLarge(RequestEntityTooLarge):
    """waitress' 413, in the contract's error shape and with the security headers."""

    def to_response(self, ident=None):
        body = PortalError("payload_too_large", f"The body is too large: {self.body}.").to_dict()
        headers = [("Content-Type", "application/json"), *SECURITY_HEADERS.items()]
        return f"{self.code} {self.reason}", headers, json.dumps(body).encode()


class RouteLimitedParser(HTTPRequestParser):
    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        if (self.command, self.path) != UPLOAD:
            # waitress refuses a body of max_request_body_size bytes or more.
            self.adj = copy(self.adj)
            self.adj.max_request_body_size = min(self.adj.max_request_body_size, MAX_JSON_BODY + 1)

    def received(self, data):
        consumed = super().received(data)
        if type(self.error) is RequestEntityTooLarge:
            self.error = JsonPayloadTooLarge(f"at most {self.adj.max_request_body_size - 1} bytes on this route")
        return consumed


class RouteLimitedChannel(HTTPChannel):
    parser_class = RouteLimitedParser


def limit_bodies_by_route(server) -> None:
    """Make a server from `waitress.create_server` read every request with `RouteLimitedParser`."""
    listeners = server.map.values() if isinstance(server, MultiSocketServer) else [server]
    for listener in listeners:
        if hasattr(listener, "channel_class"):
            listener.channel_class = RouteLimitedChannel
