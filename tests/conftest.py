import fakeredis
import pytest

from tests.services import fresh_postgres_database, private_redis


@pytest.fixture(scope="session")
def redis_url():
    with private_redis() as url:
        yield url


@pytest.fixture
def fake_redis():
    return fakeredis.FakeRedis()


@pytest.fixture
def postgres_url():
    with fresh_postgres_database() as url:
        yield url
