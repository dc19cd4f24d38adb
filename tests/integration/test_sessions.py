"""Sessions through the users API (SQLite and PostgreSQL), and revocation on all three services."""

import time

import pytest

from services.users.app import create_app
from services.users.bootstrap import build_service, migrate
from shared.celery_app import create_worker_app
from shared.config import Settings
from tests.integration.conftest import ADMIN_PASSWORD
from tests.services import private_redis

PASSWORD = "sessie-wachtwoord-1"


def log_in(client, code="admin", password=ADMIN_PASSWORD, **extra):
    response = client.post("/api/v1/auth/token", json={"code": code, "password": password, **extra})
    assert response.status_code == 200, response.json
    return response


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_login_answers_a_15_minute_access_token_and_a_refresh_token(client):
    body = log_in(client).json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900 and body["refresh_token"]
    assert client.get("/api/v1/users", headers=bearer(body["access_token"])).status_code == 200


def test_a_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client):
    first = log_in(client).json
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200 and second.json["refresh_token"] != first["refresh_token"]
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.json["error"]["code"] == "refresh_token_reused"
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second.json["refresh_token"]})
    assert after.status_code == 401 and after.json["error"]["code"] == "invalid_refresh_token"
    for token in (first["access_token"], second.json["access_token"]):
        refused = client.get("/api/v1/users", headers=bearer(token))
        assert refused.status_code == 401 and refused.json["error"]["code"] == "token_revoked"


def test_logout_ends_the_session_by_refresh_token_or_by_access_token(client):
    by_refresh, by_access = log_in(client).json, log_in(client).json
    assert client.post("/api/v1/auth/logout", json={"refresh_token": by_refresh["refresh_token"]}).status_code == 204
    assert client.post("/api/v1/auth/logout", json={}, headers=bearer(by_access["access_token"])).status_code == 204
    for body in (by_refresh, by_access):
        assert client.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]}).status_code == 401
        assert client.get("/api/v1/users", headers=bearer(body["access_token"])).json["error"]["code"] == \
            "token_revoked"
    assert client.post("/api/v1/auth/logout", json={}).status_code == 401


def test_the_cookie_session_is_httponly_secure_strict_and_refreshes_only_with_the_header(client):
    login = log_in(client, cookie=True)
    assert "refresh_token" not in login.json
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("portal_refresh=")
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth", "Max-Age=43200"):
        assert attribute in cookie
    refused = client.post("/api/v1/auth/refresh", json={"cookie": True})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "browser_header_missing"
    refreshed = client.post("/api/v1/auth/refresh", json={"cookie": True}, headers={"X-Requested-With": "portal"})
    assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json
    assert refreshed.headers["Set-Cookie"] != cookie
    logout = client.post("/api/v1/auth/logout", json={}, headers={"X-Requested-With": "portal"})
    assert logout.status_code == 204 and "Max-Age=0" in logout.headers["Set-Cookie"]
    after = client.post("/api/v1/auth/refresh", json={"cookie": True}, headers={"X-Requested-With": "portal"})
    assert after.status_code == 401


def test_a_short_secret_key_is_refused_at_start(tmp_path):
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "too-short"})
    with pytest.raises(ValueError, match="32 bytes"):
        create_app(settings)


def test_a_worker_refuses_a_short_secret_key_at_start_too(tmp_path):
    """Workers seal and open import files and password cells with the key."""
    env = {"PORTAL_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6399/0"}
    service = object()
    with pytest.raises(ValueError, match="32 bytes"):
        create_worker_app("users", Settings.from_env({**env, "PORTAL_SECRET_KEY": "too-short"}), service, "users")
    app = create_worker_app("users", Settings.from_env({**env, "PORTAL_SECRET_KEY": "x" * 32}), service, "users")
    assert app.extensions["users"] is service


# Revocation on every service: the three apps of `service_apps` share one Redis.

def until_refused(client, path, token, limit=1.0):
    """Seconds until `client` refuses `token` with token_revoked (fails after `limit`)."""
    start = time.monotonic()
    while True:
        response = client.get(path, headers=bearer(token))
        if response.status_code == 401 and response.json["error"]["code"] == "token_revoked":
            return time.monotonic() - start
        assert time.monotonic() - start < limit, (path, response.status_code, response.json)
        time.sleep(0.01)


SERVICE_PATHS = {"users": "/api/v1/users/{code}", "importer": "/api/v1/imports",
                 "enrollments": "/api/v1/schedule-projects"}


@pytest.fixture(scope="module")
def admin_headers(service_apps):
    return bearer(log_in(service_apps["users"].test_client()).json["access_token"])


def a_user_with_a_session(service_apps, admin_headers, code, functions=("applicatiebeheerder",)):
    users = service_apps["users"].test_client()
    created = users.post("/api/v1/users", headers=admin_headers, json={
        "code": code, "is_employee": True, "password": PASSWORD, "school_functions": list(functions)})
    assert created.status_code == 201, created.json
    token = log_in(users, code, PASSWORD).json["access_token"]
    for name, path in SERVICE_PATHS.items():
        response = service_apps[name].test_client().get(path.format(code=code), headers=bearer(token))
        assert response.status_code == 200, (name, response.json)
    return token


@pytest.mark.parametrize("change", [
    {"archived": True}, {"password": "een-nieuw-wachtwoord"}, {"login_method": "none"}, {"school_functions": []},
], ids=["archived", "password", "login-method", "function-taken"])
def test_every_service_refuses_the_old_token_within_a_second_of_the_change(service_apps, admin_headers, change):
    code = f"rev-{next(iter(change))}".replace("_", "-")
    token = a_user_with_a_session(service_apps, admin_headers, code)
    changed = service_apps["users"].test_client().patch(f"/api/v1/users/{code}", headers=admin_headers, json=change)
    assert changed.status_code == 200, changed.json
    for name, path in SERVICE_PATHS.items():
        assert until_refused(service_apps[name].test_client(), path.format(code=code), token) < 1.0


def test_reducing_a_school_function_revokes_its_holders_tokens_on_every_service(service_apps, admin_headers):
    users = service_apps["users"].test_client()
    rights = ["users:read", "imports:read", "enrollments:read"]
    assert users.post("/api/v1/school-functions", headers=admin_headers,
                      json={"code": "lezer", "name": "Lezer", "rights": rights}).status_code == 201
    token = a_user_with_a_session(service_apps, admin_headers, "rev-lezer", functions=["lezer"])
    reduced = users.put("/api/v1/school-functions/lezer", headers=admin_headers,
                        json={"name": "Lezer", "rights": rights[:2]})
    assert reduced.status_code == 200, reduced.json
    for name, path in SERVICE_PATHS.items():
        assert until_refused(service_apps[name].test_client(), path.format(code="rev-lezer"), token) < 1.0


def test_a_redis_outage_makes_every_token_503_within_seconds(tmp_path):
    with private_redis() as url:
        settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "REDIS_URL": url,
                                      "PORTAL_SECRET_KEY": "outage-test-secret-key-0123456789",
                                      "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD})
        migrate(settings)
        service = build_service(settings)
        from services.users import handlers
        handlers.ensure_application_manager(service.unit_of_work(), "admin", ADMIN_PASSWORD)
        client = create_app(settings, service).test_client()
        token = log_in(client).json["access_token"]
        assert client.get("/api/v1/users", headers=bearer(token)).status_code == 200
    start = time.monotonic()
    while (response := client.get("/api/v1/users", headers=bearer(token))).status_code == 200:
        assert time.monotonic() - start < 5, "a token was still accepted 5 s into the outage"
        time.sleep(0.1)
    assert response.status_code == 503 and response.json["error"]["code"] == "revocation_unavailable"
    assert response.headers["Retry-After"] == "1"
    service.engine.dispose()
