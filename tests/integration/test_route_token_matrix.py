"""Every /api/v1 route of every service against every kind of caller.

The routes come from the apps' URL maps, so a route added later is checked without touching this
file; one that is neither public nor guarded by `require_right` fails the first test. Holders of a
route's right must get past the check (a 404 or 422 for the placeholder values is fine); everyone
else gets the contract's 401 or 403.
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass

import pytest
from flask import Flask

from shared.auth import ISSUER, issue_token
from shared.rights import RIGHTS
from tests.integration.conftest import ADMIN_PASSWORD, SERVICES_SECRET, token_for

PUBLIC_ROUTES = {"/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/openapi.json",
                 "/health"}
PASSWORD = "matrix-password-1"
STUDENT = "100001"
EMPLOYEE = "geen-rechten"
OTHER_SECRET = "another-secret-that-signs-nothing-here-0123"
ANSWERED = "answered"  # neither 401/403 nor a server error


@dataclass(frozen=True)
class Route:
    app: Flask
    rule: str
    method: str
    required_right: str | None
    allows_self: str | None

    def url(self, own_code: str | None = None) -> str:
        """The rule with placeholder values: 1 for an <int:...> argument, `x` for any other, and
        `own_code` for the argument that lets callers reach their own record."""
        def value(argument: re.Match) -> str:
            converter, name = argument.group(1), argument.group(2)
            if own_code is not None and name == self.allows_self:
                return own_code
            return "1" if converter == "int" else "x"

        return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, self.rule)

    def request(self, token: str | None, own_code: str | None = None):
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        body = {"json": {}} if self.method in ("POST", "PUT", "PATCH") else {}
        return self.app.test_client().open(self.url(own_code), method=self.method, headers=headers, **body)


def api_routes(apps: dict[str, Flask]) -> list[Route]:
    routes = []
    for app in apps.values():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/api/v1/") or rule.rule in PUBLIC_ROUTES:
                continue
            view = app.view_functions[rule.endpoint]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append(Route(app, rule.rule, method, getattr(view, "required_right", None),
                                    getattr(view, "allows_self", None)))
    return routes


@pytest.fixture(scope="module")
def routes(service_apps):
    return api_routes(service_apps)


@pytest.fixture(scope="module")
def tokens(service_apps):
    """Real tokens from the users service: the application manager, a student, an employee without
    rights, and for each right an employee whose one school function holds just that right."""
    users = service_apps["users"].test_client()
    admin = token_for(users, "admin", ADMIN_PASSWORD)
    headers = {"Authorization": f"Bearer {admin}"}

    def create_user(code, **fields):
        response = users.post("/api/v1/users", headers=headers, json={"code": code, "password": PASSWORD, **fields})
        assert response.status_code == 201, response.json
        return token_for(users, code, PASSWORD)

    by_right = {}
    for right in RIGHTS:
        function = right.replace(":", "-")
        response = users.post("/api/v1/school-functions", headers=headers,
                              json={"code": function, "name": function, "rights": [right]})
        assert response.status_code == 201, response.json
        by_right[right] = create_user(f"m-{function}", is_employee=True, school_functions=[function])
    return {"admin": admin, "student": create_user(STUDENT, is_student=True),
            "employee": create_user(EMPLOYEE, is_employee=True), "by_right": by_right}


def unsigned_token() -> str:
    """A token that names no algorithm (`alg: none`) and so has no signature, claiming every right."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "admin", "rights": sorted(RIGHTS), "iat": now, "exp": now + 600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def outcome(response) -> str | tuple:
    if response.status_code in (401, 403):
        error = response.json["error"]
        return response.status_code, error["code"], error["details"].get("missing")
    return ANSWERED if response.status_code < 500 else ("server error", response.status_code)


def refused_for_missing(right: str) -> tuple:
    return 403, "insufficient_rights", [right]


def mismatches(routes: list[Route], token: str | None, expected, own_code: str | None = None) -> list[str]:
    """Each route whose outcome for `token` is not `expected(route)`, described for the failure message."""
    found = []
    for route in routes:
        actual, wanted = outcome(route.request(token, own_code)), expected(route)
        if actual != wanted:
            found.append(f"{route.method} {route.url(own_code)}: {actual}, expected {wanted}")
    return found


def test_every_api_route_but_the_public_ones_requires_a_right(service_apps, routes):
    assert len(routes) > 20
    assert [f"{route.method} {route.rule}" for route in routes if route.required_right is None] == []
    served = {rule.rule for app in service_apps.values() for rule in app.url_map.iter_rules()}
    assert PUBLIC_ROUTES <= served


def test_the_public_routes_answer_without_a_token(service_apps):
    users = service_apps["users"].test_client()
    assert users.get("/health").status_code == 200
    assert users.get("/api/v1/openapi.json").status_code == 200
    refused = users.post("/api/v1/auth/token", json={"code": "admin", "password": "wrong-password"})
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("token, code", [
    (None, "missing_token"),
    ("not-a-token", "invalid_token"),
    (issue_token(SERVICES_SECRET, "admin", RIGHTS, lifetime=-60), "token_expired"),
    (issue_token(OTHER_SECRET, "admin", RIGHTS), "invalid_token"),
    (unsigned_token(), "invalid_token"),
], ids=["no token", "garbage", "expired", "signed with another key", "alg none"])
def test_a_missing_or_untrustworthy_token_is_401_on_every_route(routes, token, code):
    assert mismatches(routes, token, lambda route: (401, code, None)) == []


@pytest.mark.parametrize("caller", ["student", "employee"])
def test_a_caller_without_rights_is_refused_every_route_naming_the_missing_right(routes, tokens, caller):
    assert mismatches(routes, tokens[caller], lambda route: refused_for_missing(route.required_right)) == []


@pytest.mark.parametrize("caller, code", [("student", STUDENT), ("employee", EMPLOYEE)])
def test_a_caller_without_rights_reaches_only_their_own_record(routes, tokens, caller, code):
    def expected(route):
        return ANSWERED if route.allows_self else refused_for_missing(route.required_right)

    assert any(route.allows_self for route in routes)
    assert mismatches(routes, tokens[caller], expected, own_code=code) == []


@pytest.mark.parametrize("right", RIGHTS)
def test_one_right_opens_exactly_the_routes_that_require_it(routes, tokens, right):
    def expected(route):
        return ANSWERED if route.required_right == right else refused_for_missing(route.required_right)

    assert mismatches(routes, tokens["by_right"][right], expected) == []


def test_the_application_manager_passes_every_right_check(routes, tokens):
    assert mismatches(routes, tokens["admin"], lambda route: ANSWERED) == []
