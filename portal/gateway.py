"""One base URL for every service: routes /api/v1 by path prefix, merges the OpenAPI documents,
and answers /health only when every service is ready and every queue has a worker.

Backends are WSGI apps: the services themselves in the embedded mode, `UpstreamProxy`s to their
containers in docker-compose. Run it with `python -m portal.gateway`.
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import flask_swagger_ui
from celery import Celery
from flask import Flask, jsonify, send_from_directory
from werkzeug.test import EnvironBuilder, run_wsgi_app

from shared import catalogue
from shared.celery_app import queues_with_workers
from shared.config import Settings
from shared.errors import NotFound
from shared.http import register_error_handlers, register_security_headers
from shared.messages import ENROLLMENTS_QUEUE, IMPORTER_QUEUE, USERS_QUEUE
from shared.openapi import merge_documents
from shared.redis_client import celery_broker

ROUTES = (
    ("/api/v1/auth", "users"),
    ("/api/v1/users", "users"),
    ("/api/v1/school-functions", "users"),
    ("/api/v1/audit", "users"),
    ("/api/v1/imports", "importer"),
    ("/api/v1/schedule-projects", "enrollments"),
    ("/api/v1/learning-paths", "enrollments"),
)
QUEUES = (USERS_QUEUE, IMPORTER_QUEUE, ENROLLMENTS_QUEUE)
HEALTH_CACHE_SECONDS = 2.0
CONSOLE = Path(__file__).parent / "console"
# The interactive API page: its own files, and Swagger UI's from the flask-swagger-ui wheel (only its
# dist files; nothing comes from another site at run time).
API_DOCS = Path(__file__).parent / "api_docs"
SWAGGER_UI = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})


class Gateway:
    def __init__(self, backends: dict[str, Callable], broker_url: str | None, queues=QUEUES):
        self.backends = backends
        self.fallback = self._build_fallback_app()
        self.queues = queues
        self.celery = Celery("gateway", **celery_broker(broker_url)) if broker_url else None
        self._health: tuple[float, bool, list[str]] = (0.0, False, [])
        self._health_lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, name in ROUTES:
            if path == prefix or path.startswith(prefix + "/"):
                return self.backends[name](environ, start_response)
        return self.fallback(environ, start_response)

    def readiness(self) -> tuple[bool, list[str]]:
        """Checked again unless the last check was ready and recent, or ended after this call began (a
        caller that waited for another's check takes its answer): so /health says ok as soon as
        everything is back, not when a kept "not ready" runs out."""
        asked_at = time.monotonic()
        with self._health_lock:
            checked_at, ready, reasons = self._health
            recent = (ready and time.monotonic() - checked_at <= HEALTH_CACHE_SECONDS) or checked_at >= asked_at
            if not recent:
                ready, reasons = self._check_readiness()
                self._health = (time.monotonic(), ready, reasons)
            return ready, reasons

    def _check_readiness(self) -> tuple[bool, list[str]]:
        reasons = []
        for name, backend in self.backends.items():
            status, body = call_backend(backend, "/health")
            if status != 200:
                reasons.append(f"{name}: " + "; ".join(body.get("reasons", []) or [f"health answered {status}"]))
        if self.celery is None:
            reasons.append("no broker configured")
            return False, reasons
        try:
            answering = queues_with_workers(self.celery, timeout=1.0)
        except Exception as error:  # an unreachable broker means not ready, not a crash
            reasons.append(f"broker unavailable: {type(error).__name__}")
            return False, reasons
        reasons += [f"no worker on queue {queue}" for queue in self.queues if queue not in answering]
        return not reasons, reasons

    def _build_fallback_app(self) -> Flask:
        app = Flask("gateway", static_folder=None)
        register_error_handlers(app)
        # Only the gateway's own answers: a proxied service's response already has them.
        register_security_headers(app)

        @app.get("/")
        def console():
            """The admin console: static files that use only the public /api/v1."""
            return _console_file("index.html")

        @app.get("/console/catalogue/<lang>.json")
        def console_catalogue(lang):
            """The shared catalogue of texts of one language (nl, en), by code, as the services and the
            CLI use it: the console shows the codes it explains itself with it."""
            if lang not in catalogue.LANGUAGES:
                raise NotFound("not_found", f"There is no catalogue for {lang!r}; there are {catalogue.LANGUAGES}.")
            return jsonify(catalogue.catalogue(lang))

        @app.get("/console/<path:name>")
        def console_asset(name):
            return _console_file(name)

        @app.get("/api/docs")
        def api_docs():
            """The OpenAPI document as an interactive page (Swagger UI)."""
            return _api_docs_file(API_DOCS, "index.html")

        @app.get("/api/docs/<name>")
        def api_docs_asset(name):
            return _api_docs_file(API_DOCS, name)

        @app.get("/api/docs/swagger-ui/<name>")
        def swagger_ui_asset(name):
            if name not in SWAGGER_UI_FILES:
                raise NotFound("not_found", f"Nothing is served at /api/docs/swagger-ui/{name}.")
            return _api_docs_file(SWAGGER_UI, name)

        @app.get("/health")
        def health():
            ready, reasons = self.readiness()
            if ready:
                return jsonify(status="ok")
            return jsonify(status="starting", reasons=reasons), 503

        @app.get("/api/v1/openapi.json")
        def openapi():
            documents = [call_backend(backend, "/api/v1/openapi.json")[1] for backend in self.backends.values()]
            return jsonify(merge_documents("School portal API", documents))

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        def not_found(path):
            raise NotFound("not_found", f"Nothing is served at /{path}.")

        return app


def _console_file(name: str):
    response = send_from_directory(CONSOLE, name, max_age=0)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    return response


def _api_docs_file(directory: Path, name: str):
    response = send_from_directory(directory, name, max_age=0)
    # As strict as the console's: Swagger UI sets styles through the DOM (which a policy does not
    # govern), never as inline markup, so no 'unsafe-inline' is needed; its stylesheet draws icons
    # from data: URLs; "Try it out" calls this origin only.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    return response


def call_backend(backend: Callable, path: str) -> tuple[int, dict]:
    """GET a JSON document from a backend through its WSGI interface."""
    environ = EnvironBuilder(path=path, method="GET").get_environ()
    try:
        body_iter, status, _headers = run_wsgi_app(backend, environ, buffered=True)
        body = b"".join(body_iter)
        return int(status.split()[0]), json.loads(body or b"{}")
    except Exception as error:  # a backend that cannot answer is reported, not raised
        return 503, {"reasons": [f"unreachable: {type(error).__name__}"]}


class UpstreamProxy:
    """Forwards a WSGI request to a service over HTTP, streaming both bodies."""

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
                  "proxy-authorization", "proxy-authenticate"}

    def __init__(self, base_url: str, timeout: float = 60.0):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout

    def __call__(self, environ, start_response):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        path = request_target(environ)
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items() if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        headers["X-Forwarded-For"] = forwarded_for(environ)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        connection.putrequest(environ["REQUEST_METHOD"], path, skip_host=False, skip_accept_encoding=True)
        for key, value in headers.items():
            if key.lower() not in self.HOP_BY_HOP and key.lower() != "host":
                connection.putheader(key, value)
        connection.endheaders()
        remaining, stream = length, environ["wsgi.input"]
        while remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            connection.send(chunk)
            remaining -= len(chunk)
        response = connection.getresponse()
        start_response(
            f"{response.status} {response.reason}",
            [(key, value) for key, value in response.getheaders() if key.lower() not in self.HOP_BY_HOP],
        )
        return _stream_and_close(response, connection)


def forwarded_for(environ) -> str:
    """`X-Forwarded-For` for the service: the client's list with the address this request came from
    appended. The service believes it only because it trusts the gateway (PORTAL_TRUSTED_PROXIES),
    and reads it from the right, so what a client wrote there itself names nobody but the client."""
    remote = environ.get("REMOTE_ADDR") or "unknown"
    earlier = (environ.get("HTTP_X_FORWARDED_FOR") or "").strip()
    return f"{earlier}, {remote}" if earlier else remote


def request_target(environ) -> str:
    """The path and query as the client sent them, still percent-encoded. Forwarding the decoded
    PATH_INFO would turn `/users/x%3Fy` into user `x` with a query; bytes beyond ASCII (which the
    WSGI server hands over as Latin-1 text) are percent-encoded again rather than refused."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        parts = urlsplit(raw)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    else:
        query = environ.get("QUERY_STRING")
        target = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/") + (f"?{query}" if query else "")
    return quote(target.encode("latin-1", errors="replace"), safe=_URI_CHARACTERS)


_URI_CHARACTERS = "/?&=%:@!$'()*+,;~-._"


def _stream_and_close(response, connection):
    try:
        while chunk := response.read(65536):
            yield chunk
    finally:
        connection.close()


def create_gateway(settings: Settings, environ=os.environ) -> Gateway:
    """Upstream URLs from USERS_API_URL etc. when set (docker-compose), else in-process services."""
    from services.enrollments.app import create_app as create_enrollments_app
    from services.importer.app import create_app as create_importer_app
    from services.users.app import create_app as create_users_app

    factories = {"users": create_users_app, "importer": create_importer_app, "enrollments": create_enrollments_app}
    backends = {}
    for name, factory in factories.items():
        upstream = environ.get(f"{name.upper()}_API_URL")
        backends[name] = UpstreamProxy(upstream) if upstream else factory(settings)
    return Gateway(backends, settings.redis_url)


def main() -> None:
    from waitress import create_server

    from portal.body_limits import limit_bodies_by_route

    _two_malloc_arenas()
    settings = Settings.from_env()
    host = os.environ.get("PORTAL_HOST", "127.0.0.1")
    # The upload's limit is above the importer's own, so that it answers an oversized file with its
    # JSON 413; every other route takes 1 MB of JSON (portal/body_limits.py).
    server = create_server(create_gateway(settings), host=host, port=settings.port, threads=16, ident="portal",
                           max_request_body_size=(settings.max_upload_mb * 2 + 16) * 1024 * 1024)
    limit_bodies_by_route(server)
    server.run()


M_ARENA_MAX = -8  # glibc's malloc.h


def _two_malloc_arenas() -> None:
    """glibc's malloc gives each thread that allocates an arena of its own (up to 8 per core) and
    keeps what a thread freed there for that arena: the 16 request threads, each of which once
    handled a large request, held 20-30 MB more than two arenas do, measured after imports of
    1,000,000 students. Called before any thread starts; elsewhere than glibc there is nothing to set."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(M_ARENA_MAX, 2)


if __name__ == "__main__":
    main()
