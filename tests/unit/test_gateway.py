import json

from werkzeug.test import Client

from portal.gateway import Gateway


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


def test_the_console_is_served_with_a_strict_content_security_policy():
    response = gateway().get("/")
    assert response.status_code == 200 and b'src="/console/app.js"' in response.data
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert gateway().get("/console/app.js").status_code == 200
    assert gateway().get("/console/pages/users.js").status_code == 200
