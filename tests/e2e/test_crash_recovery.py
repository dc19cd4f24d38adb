"""Processes killed at the worst moment, against real PostgreSQL, real Redis and real workers."""

import os
import subprocess
import urllib.error
from http.client import RemoteDisconnected

import pytest
import redis
from celery import Celery

from portal.embedded import free_port
from shared.auth import issue_token
from shared.config import EVENT_STREAM
from shared.events.envelope import EVENT_FIELD
from shared.rights import RIGHTS
from tests.processes import console_script, http, python_module, start, stop, wait_healthy, wait_until

ADMIN_PASSWORD = "e2e-admin-password"


@pytest.fixture
def system_env(postgres_url, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        "USERS_DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "PORTAL_FAULT": "",
        "PORTAL_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    created = subprocess.run(console_script("portal", "create-admin"), env={**os.environ, **env},
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stdout + created.stderr
    return env


def start_users_api(env, tmp_path, **extra):
    port = free_port()
    argv = console_script("waitress-serve", "--host", "127.0.0.1", "--port", str(port),
                          "--call", "services.users.app:create_app")
    log = tmp_path / f"users-api-{port}.log"
    process = start(argv, {**env, **extra}, log)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process=process, log=log)
    return process, base


def admin_token(base):
    return http("POST", f"{base}/api/v1/auth/token", {"code": "admin", "password": ADMIN_PASSWORD})[1]["access_token"]


def create_student_in_a_process_that_dies_after_commit(env, tmp_path, code):
    api, base = start_users_api(env, tmp_path, PORTAL_FAULT="users.after_commit")
    # A login commits its session, so this process would die on it: a token made with the key instead.
    token = issue_token(env["PORTAL_SECRET_KEY"], "admin", RIGHTS)
    with pytest.raises((urllib.error.URLError, RemoteDisconnected, ConnectionError)):
        http("POST", f"{base}/api/v1/users", {"code": code, "is_student": True}, token)
    assert api.wait(timeout=10) == 97


def recorded(path):
    return path.read_text().splitlines() if path.exists() else []


def test_an_event_lost_in_a_crash_after_commit_is_published_by_the_relay_and_handled_exactly_once(system_env, tmp_path):
    client = redis.Redis.from_url(system_env["REDIS_URL"])
    create_student_in_a_process_that_dies_after_commit(system_env, tmp_path, "123456")
    assert client.xlen(EVENT_STREAM) == 0

    api, base = start_users_api(system_env, tmp_path)
    try:
        # Not a login: its commit would publish the pending event itself, and the relay is under test.
        token = issue_token(system_env["PORTAL_SECRET_KEY"], "admin", RIGHTS)
        assert http("GET", f"{base}/api/v1/users/123456", token=token)[0] == 200
        # The audit entry was committed with the user: the crash after the commit cannot lose it.
        trail = http("GET", f"{base}/api/v1/audit?target=123456", token=token)[1]["items"]
        assert [(entry["action"], entry["actor"]) for entry in trail] == [("user.created", "admin")]
    finally:
        stop(api)

    relay = start(python_module("services.users.relay"), system_env, tmp_path / "relay.log")
    try:
        wait_until(lambda: client.xlen(EVENT_STREAM) == 1, 20, "the relay to publish the pending event")
    finally:
        assert stop(relay) == 0

    output = tmp_path / "handled.txt"
    subscriber = python_module("tests.e2e.record_events", "directory", str(output))
    crashed = start(subscriber, {**system_env, "PORTAL_FAULT": "subscriber.before_ack"}, tmp_path / "sub.log")
    assert crashed.wait(timeout=30) == 97  # handled the event, died before acknowledging it
    assert len(recorded(output)) == 1

    # The relay may publish an event twice (crash between XADD and marking it); add such a duplicate.
    entry = client.xrange(EVENT_STREAM)[0][1]
    client.xadd(EVENT_STREAM, {EVENT_FIELD: entry[EVENT_FIELD.encode()]})
    assert start(subscriber, system_env, tmp_path / "sub.log").wait(timeout=30) == 0
    lines = recorded(output)
    assert len(lines) == 1 and lines[0].startswith("student.created 123456 ")
    assert client.xpending(EVENT_STREAM, "directory")["pending"] == 0


def test_a_real_celery_worker_publishes_what_the_outbox_holds(system_env, tmp_path):
    client = redis.Redis.from_url(system_env["REDIS_URL"])
    create_student_in_a_process_that_dies_after_commit(system_env, tmp_path, "654321")
    worker = start(
        [*console_script("celery"), "-A", "services.users.worker", "worker", "-Q", "users",
         "-n", "users@e2e", "--pool", "solo", "--without-gossip", "--without-mingle", "-l", "info"],
        system_env, tmp_path / "worker.log",
    )
    try:
        Celery(broker=system_env["REDIS_URL"]).send_task("users.publish_events", queue="users")
        wait_until(lambda: client.xlen(EVENT_STREAM) == 1, 30, "the worker to publish the pending event")
    finally:
        stop(worker)
    assert b"654321" in client.xrange(EVENT_STREAM)[0][1][EVENT_FIELD.encode()]


def test_the_gateway_proxies_to_a_users_api_running_on_its_own(system_env, tmp_path):
    """docker-compose's shape: the gateway forwards to the users API's own process by USERS_API_URL."""
    api, users_base = start_users_api(system_env, tmp_path)
    port = free_port()
    gateway_env = {**system_env, "USERS_API_URL": users_base, "PORTAL_PORT": str(port),
                   "IMPORTER_DATABASE_URL": f"sqlite:///{tmp_path / 'importer.sqlite3'}",
                   "ENROLLMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'enrollments.sqlite3'}"}
    gateway = start(python_module("portal.gateway"), gateway_env, tmp_path / "gateway.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http("GET", f"{base}/api/v1/openapi.json", timeout=2)[0] == 200, 30, "the gateway")
        token = admin_token(base)
        status, user = http("POST", f"{base}/api/v1/users?ignored=1", {"code": "777001", "is_student": True}, token)
        assert status == 201 and user["school_functions"] == ["leerling"]
        status, listed = http("GET", f"{base}/api/v1/users?type=student&q=777", token=token)
        assert status == 200 and [item["code"] for item in listed["items"]] == ["777001"]
        assert http("GET", f"{base}/api/v1/users")[0] == 401  # the token header is what is forwarded
        paths = http("GET", f"{base}/api/v1/openapi.json")[1]["paths"]
        assert "/api/v1/users" in paths and "/api/v1/imports" in paths and "/api/v1/learning-paths" in paths
    finally:
        stop(gateway)
        stop(api)
