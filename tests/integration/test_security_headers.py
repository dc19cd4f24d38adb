"""Every answer carries Cache-Control: no-store, X-Content-Type-Options: nosniff and
Referrer-Policy: no-referrer, exactly once: successes, errors, downloads, the services' own endpoints,
and through the gateway both in-process and proxied to a service over HTTP."""

from __future__ import annotations

import io
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client

from portal.gateway import Gateway, UpstreamProxy
from tests.integration.conftest import ADMIN_PASSWORD, token_for

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PROJECT = "2026-2027"


def assert_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.getlist(name) == [value], (name, response.status_code)


@pytest.fixture(scope="module")
def manager(service_apps):
    token = token_for(service_apps["users"].test_client(), "admin", ADMIN_PASSWORD)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def project(service_apps, manager):
    response = service_apps["enrollments"].test_client().post(
        "/api/v1/schedule-projects", headers=manager,
        json={"code": PROJECT, "name": "2026", "school_year": "2026-2027"})
    assert response.status_code == 201
    assert_security_headers(response)
    return PROJECT


@pytest.mark.parametrize("service, method, url, authorized, body, status", [
    ("users", "GET", "/api/v1/users", True, None, 200),
    ("enrollments", "POST", "/api/v1/learning-paths", True,
     {"code": "onderbouw", "name": "Onderbouw", "element_code": "E1", "years_of_education": [1]}, 201),
    ("importer", "GET", "/api/v1/imports", False, None, 401),
    ("users", "GET", "/api/v1/users/nobody", True, None, 404),
    ("enrollments", "GET", "/api/v1/no-such-route", False, None, 404),
    ("users", "DELETE", "/api/v1/users", True, None, 405),
    ("users", "POST", "/api/v1/users", True, {"code": ""}, 422),
    ("users", "GET", "/health", False, None, 200),
    ("importer", "GET", "/api/v1/openapi.json", False, None, 200),
], ids=["200 json", "201", "401", "404 resource", "404 route", "405", "422", "health", "openapi"])
def test_a_service_answer_carries_the_security_headers(service_apps, manager, service, method, url, authorized,
                                                       body, status):
    response = service_apps[service].test_client().open(
        url, method=method, headers=manager if authorized else {}, **({"json": body} if body is not None else {}))
    assert response.status_code == status
    assert_security_headers(response)


def test_the_placements_csv_download_carries_the_security_headers(service_apps, manager, project):
    response = service_apps["enrollments"].test_client().get(
        f"/api/v1/schedule-projects/{project}/placements?format=csv", headers=manager)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert_security_headers(response)


def test_an_upload_and_its_errors_csv_carry_the_security_headers(service_apps, manager):
    importer = service_apps["importer"].test_client()
    upload = importer.post("/api/v1/imports", headers=manager, content_type="multipart/form-data",
                           data={"kind": "users", "file": (io.BytesIO(b"Leerlingnummer\n100001\n"), "export.csv")})
    assert upload.status_code == 202
    assert_security_headers(upload)
    report = importer.get(f"/api/v1/imports/{upload.json['id']}/errors.csv", headers=manager)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.headers["Content-Disposition"] == f'attachment; filename="import-{upload.json["id"]}-errors.csv"'
    assert_security_headers(report)


@pytest.mark.parametrize("url, status", [
    ("/health", 503),  # no broker, so no worker answers
    ("/api/v1/openapi.json", 200),
    ("/nothing-here", 404),
    ("/api/v1/users", 401),  # answered by the users service itself
])
def test_a_gateway_answer_carries_the_security_headers_once(service_apps, url, status):
    response = Client(Gateway(service_apps, broker_url=None)).get(url)
    assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/", "/console/app.js"])
def test_the_console_files_are_neither_sniffed_nor_leak_a_referrer(service_apps, url):
    response = Client(Gateway(service_apps, broker_url=None)).get(url)
    assert response.status_code == 200
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.fixture
def users_over_http(service_apps):
    """The users service behind a real HTTP server, as its container serves it in docker-compose."""
    server = make_server("127.0.0.1", 0, service_apps["users"], threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_a_proxied_answer_keeps_the_services_headers_without_doubling_them(service_apps, manager, users_over_http):
    backends = {**service_apps, "users": UpstreamProxy(users_over_http)}
    response = Client(Gateway(backends, broker_url=None)).get("/api/v1/users", headers=manager)
    assert response.status_code == 200 and response.json["items"][0]["code"] == "admin"
    assert_security_headers(response)
