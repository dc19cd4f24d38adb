import json
import re

import pytest
from werkzeug.test import Client

from portal.gateway import Gateway, forwarded_for, request_target


def backend(name):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"backend": name, "path": environ["PATH_INFO"]}).encode()]

    return app


def gateway():
    return Client(Gateway({name: backend(name) for name in ("users", "importer", "enrollments")}, broker_url=None))


def test_each_api_prefix_goes_to_its_service():
    client = gateway()
    for path, name in [("/api/v1/auth/token", "users"), ("/api/v1/users", "users"), ("/api/v1/users/1/rights", "users"),
                       ("/api/v1/school-functions", "users"), ("/api/v1/imports/x/rows", "importer"),
                       ("/api/v1/schedule-projects/p/enrollments", "enrollments"),
                       ("/api/v1/learning-paths", "enrollments")]:
        assert client.get(path).json == {"backend": name, "path": path}


def test_a_path_that_only_starts_like_a_prefix_is_not_routed():
    response = gateway().get("/api/v1/usersettings")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_health_says_why_it_is_not_ready_without_a_broker():
    response = gateway().get("/health")
    assert response.status_code == 503 and "no broker configured" in response.json["reasons"]


def test_health_keeps_a_ready_answer_a_while_but_checks_again_at_once_when_it_was_not_ready():
    checks = iter([(False, ["broker unavailable: ConnectionError"]), (True, []), (False, ["no worker on queue users"])])
    subject = Gateway({}, broker_url=None)
    subject._check_readiness = lambda: next(checks)
    assert subject.readiness() == (False, ["broker unavailable: ConnectionError"])
    assert subject.readiness() == (True, [])  # Redis is back: the next call says so
    assert subject.readiness() == (True, [])  # kept for HEALTH_CACHE_SECONDS


def test_the_console_is_served_with_a_strict_content_security_policy():
    response = gateway().get("/")
    assert response.status_code == 200 and b'src="/console/app.js"' in response.data
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert gateway().get("/console/app.js").status_code == 200
    assert gateway().get("/console/pages/users.js").status_code == 200


def test_the_api_page_loads_swagger_ui_from_the_gateway_and_the_merged_document():
    response = gateway().get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'src="/api/docs/swagger-ui/swagger-ui-bundle.js"' in page and 'src="/api/docs/api-docs.js"' in page
    assert "<script>" not in page and " style=" not in page
    assert re.findall(r"https?://", page) == []
    script = gateway().get("/api/docs/api-docs.js").get_data(as_text=True)
    assert 'url: "/api/v1/openapi.json"' in script and re.findall(r"https?://", script) == []


def test_the_api_page_has_a_policy_that_allows_scripts_and_styles_from_the_gateway_only():
    policy = gateway().get("/api/docs").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "connect-src 'self';" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_swagger_ui_is_served_from_the_installed_package_and_nothing_else_of_it():
    bundle = gateway().get("/api/docs/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
    assert gateway().get("/api/docs/swagger-ui/swagger-ui.css").status_code == 200
    assert gateway().get("/api/docs/swagger-ui/oauth2-redirect.html").status_code == 404
    assert gateway().get("/api/docs/swagger-ui/..%2f..%2f__init__.py").status_code == 404


@pytest.mark.parametrize("environ, target", [
    ({"REQUEST_URI": "/api/v1/users/x%3Fy", "PATH_INFO": "/api/v1/users/x?y"}, "/api/v1/users/x%3Fy"),
    ({"REQUEST_URI": "/api/v1/users/zo\xc3\xab?q=a b"}, "/api/v1/users/zo%C3%AB?q=a%20b"),
    ({"REQUEST_URI": "http://portal.example/api/v1/users?limit=2"}, "/api/v1/users?limit=2"),
    ({"PATH_INFO": "/api/v1/users/x?y", "QUERY_STRING": "limit=2"}, "/api/v1/users/x%3Fy?limit=2"),
])
def test_the_proxy_forwards_the_path_as_the_client_sent_it(environ, target):
    assert request_target(environ) == target


@pytest.mark.parametrize("environ, forwarded", [
    ({"REMOTE_ADDR": "203.0.113.5"}, "203.0.113.5"),
    ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "203.0.113.5, 10.0.0.2"),
    ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": " "}, "203.0.113.5"),
])
def test_the_proxy_appends_the_address_the_request_came_from_to_x_forwarded_for(environ, forwarded):
    assert forwarded_for(environ) == forwarded


def test_the_console_gets_the_shared_catalogue_of_each_language_without_a_token():
    from shared import catalogue

    dutch = gateway().get("/console/catalogue/nl.json")
    assert dutch.status_code == 200 and dutch.json == catalogue.catalogue("nl")
    assert dutch.json["insufficient_rights"].startswith("Hiervoor mist u rechten")
    assert gateway().get("/console/catalogue/en.json").json["user_not_found"] == "No user has code {code}."
    refused = gateway().get("/console/catalogue/fr.json")
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
