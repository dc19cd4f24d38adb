"""Sessions and revocation through the gateway of the real system (separate processes, PostgreSQL)."""

import time

from tests.processes import http

PASSWORD = "e2e-sessie-wachtwoord"
PATHS = {"users": "/api/v1/users/{code}", "importer": "/api/v1/imports",
         "enrollments": "/api/v1/schedule-projects"}


def test_archiving_a_user_revokes_their_token_on_every_service_within_a_second(system):
    status, body = system.post("/api/v1/users", {"code": "e2e.revoke", "is_employee": True, "password": PASSWORD,
                                                 "school_functions": ["applicatiebeheerder"]})
    assert status == 201, body
    status, login = http("POST", f"{system.base}/api/v1/auth/token", {"code": "e2e.revoke", "password": PASSWORD})
    assert status == 200 and login["expires_in"] == 900 and login["refresh_token"], login
    token = login["access_token"]
    for path in PATHS.values():
        assert http("GET", system.base + path.format(code="e2e.revoke"), token=token)[0] == 200
    status, body = system.request("PATCH", "/api/v1/users/e2e.revoke", {"archived": True})
    assert status == 200, body
    archived_at = time.monotonic()
    for name, path in PATHS.items():
        while True:
            status, body = http("GET", system.base + path.format(code="e2e.revoke"), token=token)
            if status == 401 and body["error"]["code"] == "token_revoked":
                break
            assert time.monotonic() - archived_at < 1.0, (name, status, body)
            time.sleep(0.02)
    assert time.monotonic() - archived_at < 1.0
    status, body = http("POST", f"{system.base}/api/v1/auth/refresh", {"refresh_token": login["refresh_token"]})
    assert status == 401 and body["error"]["code"] == "invalid_refresh_token"


def test_a_refresh_through_the_gateway_rotates_and_a_reuse_ends_the_session(system):
    status, login = http("POST", f"{system.base}/api/v1/auth/token", {"code": "admin", "password": system_password()})
    assert status == 200
    status, fresh = http("POST", f"{system.base}/api/v1/auth/refresh", {"refresh_token": login["refresh_token"]})
    assert status == 200 and fresh["refresh_token"] != login["refresh_token"]
    assert http("GET", f"{system.base}/api/v1/imports", token=fresh["access_token"])[0] == 200
    status, body = http("POST", f"{system.base}/api/v1/auth/refresh", {"refresh_token": login["refresh_token"]})
    assert status == 401 and body["error"]["code"] == "refresh_token_reused"
    start = time.monotonic()
    while http("GET", f"{system.base}/api/v1/imports", token=fresh["access_token"])[0] != 401:
        assert time.monotonic() - start < 1.0
        time.sleep(0.02)


def system_password():
    from tests.e2e.system import ADMIN_PASSWORD
    return ADMIN_PASSWORD
