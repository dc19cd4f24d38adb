"""Login throttling through the users API on a real Redis (the counters every API process shares):
per code, per client address, the window, the right password refused while throttled, and the
client address from X-Forwarded-For only behind a trusted proxy, the gateway's included."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client

from portal.gateway import Gateway, UpstreamProxy
from services.users import handlers
from services.users.app import create_app
from services.users.bootstrap import build_service, migrate
from services.users.throttle import WINDOW_SECONDS
from shared.client_address import parse_trusted_proxies
from tests.integration.conftest import ADMIN_PASSWORD

PROXY = "10.0.0.1"
RIGHT = {"code": "admin", "password": ADMIN_PASSWORD}


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(settings, redis_client, clock):
    """The users service trusting PROXY (and the loopback, where the gateway test's proxy connects
    from), with its throttle on the real Redis and a clock the tests move."""
    settings = dataclasses.replace(settings, trusted_proxies=parse_trusted_proxies(f"{PROXY}, 127.0.0.1"))
    migrate(settings)
    service = build_service(settings, redis_client)
    handlers.ensure_application_manager(service.unit_of_work(), settings.admin_code, ADMIN_PASSWORD)
    service.throttle.clock = clock
    app = create_app(settings, service)
    yield app
    service.engine.dispose()


def login(app, body, remote="192.0.2.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.test_client().post("/api/v1/auth/token", json=body, headers=headers,
                                  environ_base={"REMOTE_ADDR": remote})


def wrong(code="admin"):
    return {"code": code, "password": "not-the-password"}


def assert_throttled(response, retry_after):
    assert response.status_code == 429, response.json
    assert response.json["error"]["code"] == "too_many_attempts"
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.headers["Retry-After"] == str(retry_after)
    assert response.headers["Cache-Control"] == "no-store"


def test_five_failures_for_a_code_refuse_even_the_right_password_until_the_window_has_passed(app, clock):
    for attempt in range(5):
        assert login(app, wrong(), remote=f"192.0.2.{attempt}").status_code == 401
        clock.now += 60
    assert_throttled(login(app, RIGHT, remote="198.51.100.1"), WINDOW_SECONDS - 300)
    clock.now += WINDOW_SECONDS - 300 - 1
    assert_throttled(login(app, RIGHT), 1)
    clock.now += 1
    assert login(app, RIGHT).status_code == 200


def test_a_throttled_code_leaves_other_codes_alone(app):
    admin = {"Authorization": f"Bearer {login(app, RIGHT).json['access_token']}"}
    created = app.test_client().post("/api/v1/users", headers=admin,
                                     json={"code": "t.jansen", "password": "jansen-pass", "is_employee": True})
    assert created.status_code == 201
    for _ in range(5):
        login(app, wrong())
    assert login(app, RIGHT).status_code == 429
    assert login(app, {"code": "t.jansen", "password": "jansen-pass"}).status_code == 200


def test_unknown_codes_are_throttled_and_answer_like_known_ones(app):
    unknown = [login(app, wrong("nobody")) for _ in range(5)]
    known = [login(app, wrong("admin")) for _ in range(5)]
    assert [response.json for response in unknown] == [response.json for response in known]
    assert login(app, wrong("nobody")).json == login(app, RIGHT).json
    assert login(app, wrong("nobody")).status_code == 429


def test_thirty_failures_from_one_address_refuse_it_and_no_other(app, clock):
    for index in range(30):
        assert login(app, wrong(f"guess-{index}"), remote="203.0.113.9").status_code == 401
    assert_throttled(login(app, RIGHT, remote="203.0.113.9"), WINDOW_SECONDS)
    assert login(app, RIGHT, remote="203.0.113.10").status_code == 200
    clock.now += WINDOW_SECONDS
    assert login(app, RIGHT, remote="203.0.113.9").status_code == 200


def test_a_trusted_proxy_names_the_client_in_x_forwarded_for(app):
    for index in range(30):
        login(app, wrong(f"guess-{index}"), remote=PROXY, forwarded="203.0.113.5")
    assert login(app, RIGHT, remote=PROXY, forwarded="203.0.113.5").status_code == 429
    assert login(app, RIGHT, remote=PROXY, forwarded="203.0.113.6").status_code == 200
    # A client's own entries left of the proxy's do not make it someone else.
    assert login(app, RIGHT, remote=PROXY, forwarded="203.0.113.6, 203.0.113.5").status_code == 429


def test_an_untrusted_client_cannot_escape_its_count_with_x_forwarded_for(app):
    for index in range(30):
        login(app, wrong(f"guess-{index}"), remote="198.51.100.9", forwarded=f"203.0.113.{index}")
    assert login(app, RIGHT, remote="198.51.100.9", forwarded="203.0.113.200").status_code == 429
    assert login(app, RIGHT, remote="203.0.113.200").status_code == 200  # the named address was never counted


@pytest.fixture
def gateway_to_users_over_http(app):
    """The gateway proxying to the users service behind a real HTTP server, as in docker-compose."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Client(Gateway({"users": UpstreamProxy(f"http://127.0.0.1:{server.server_port}")}, broker_url=None))
    server.shutdown()
    thread.join()


def test_through_the_gateway_each_client_address_is_counted_on_its_own(gateway_to_users_over_http):
    gateway = gateway_to_users_over_http

    def through_gateway(body, remote):
        return gateway.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": remote},
                            headers={"X-Forwarded-For": "192.0.2.77"})  # the client's own claim: ignored

    for index in range(30):
        assert through_gateway(wrong(f"guess-{index}"), "203.0.113.7").status_code == 401
    throttled = through_gateway(RIGHT, "203.0.113.7")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == str(WINDOW_SECONDS)
    assert through_gateway(RIGHT, "203.0.113.8").status_code == 200
