import pytest
import redis

from tests.e2e.system import System
from tests.services import fresh_postgres_database


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_url):
    """The whole system on PostgreSQL and Redis, shared by the tests of one module."""
    redis.Redis.from_url(redis_url).flushdb()
    tmp_path = tmp_path_factory.mktemp("system")
    with fresh_postgres_database() as users_url, fresh_postgres_database() as importer_url, \
            fresh_postgres_database() as enrollments_url:
        env = {
            "USERS_DATABASE_URL": users_url, "IMPORTER_DATABASE_URL": importer_url,
            "ENROLLMENTS_DATABASE_URL": enrollments_url, "REDIS_URL": redis_url,
            "PORTAL_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
            "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_FAULT": "",
            "PORTAL_CHUNK_TIMEOUT_SECONDS": "5", "PORTAL_SWEEP_SECONDS": "1",
        }
        running = System(tmp_path, env).setup()
        try:
            yield running
        finally:
            running.stop_all()
