"""Creating students one by one through the users API (validation, transaction, outbox, XADD)
against PostgreSQL and Redis, next to a baseline of plain single-row INSERTs into the same server."""

from __future__ import annotations

import statistics
import time

import psycopg
import redis

from services.users import handlers
from services.users.app import create_app
from services.users.bootstrap import build_service, migrate
from services.users.passwords import hash_password
from shared.config import EVENT_STREAM, Settings
from tests.services import fresh_postgres_database, private_redis

ADMIN_PASSWORD = "bench-admin-password"


def run(count: int = 500) -> dict:
    with fresh_postgres_database() as database_url, private_redis() as redis_url:
        settings = Settings.from_env({
            "USERS_DATABASE_URL": database_url, "REDIS_URL": redis_url, "PORTAL_DATA_DIR": "/tmp/portal-bench",
            "PORTAL_SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
        })
        migrate(settings)
        client = redis.Redis.from_url(redis_url)
        service = build_service(settings, client)
        handlers.ensure_application_manager(service.unit_of_work(), "admin", ADMIN_PASSWORD)
        http = create_app(settings, service).test_client()
        token = http.post("/api/v1/auth/token", json={"code": "admin", "password": ADMIN_PASSWORD}).json["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        latencies = []
        started = time.perf_counter()
        for number in range(count):
            body = {"code": f"{100000 + number}", "first_name": "Zoë", "last_name": "Bakker",
                    "email": f"leerling{number}@example.org", "is_student": True}
            before = time.perf_counter()
            response = http.post("/api/v1/users", headers=headers, json=body)
            latencies.append(time.perf_counter() - before)
            assert response.status_code == 201, response.json
        api_seconds = time.perf_counter() - started
        assert client.xlen(EVENT_STREAM) == count

        baseline_seconds = _plain_inserts(database_url, count)
        service.engine.dispose()
        http.application.extensions["revocations"].stop()  # before its Redis stops

    hash_started = time.perf_counter()
    for _ in range(5):
        hash_password("correct horse battery staple")
    return {
        "students created": count,
        "API rows/s": count / api_seconds,
        "API p50 ms": statistics.median(latencies) * 1000,
        "API p99 ms": sorted(latencies)[int(count * 0.99) - 1] * 1000,
        "baseline INSERT rows/s": count / baseline_seconds,
        "API / baseline time": api_seconds / baseline_seconds,
        "argon2id hash ms": (time.perf_counter() - hash_started) / 5 * 1000,
    }


def _plain_inserts(database_url: str, count: int) -> float:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE baseline (code text primary key, first_name text, last_name text, email text)")
        started = time.perf_counter()
        for number in range(count):
            connection.execute("INSERT INTO baseline VALUES (%s, %s, %s, %s)",
                               (f"{100000 + number}", "Zoë", "Bakker", f"leerling{number}@example.org"))
        return time.perf_counter() - started
