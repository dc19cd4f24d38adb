import pytest
import redis

# The console's browser tests: a `portal run` per module, the administrator's client, Chromium, a page and
# screenshots (each module names its folder in `ARTIFACTS`).
from tests.e2e.console_fixtures import admin_client, browser, page, portal, shots  # noqa: F401
from tests.e2e.system import running_system


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_url):
    """The whole system on PostgreSQL and Redis, shared by the tests of one module."""
    redis.Redis.from_url(redis_url).flushdb()
    tmp_path = tmp_path_factory.mktemp("system")
    with running_system(tmp_path, redis_url) as running:
        yield running
