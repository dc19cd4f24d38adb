"""REDIS_URL names one Redis server or a Sentinel set: what each form becomes for redis-py and Celery."""

import logging

import pytest
from kombu import Connection
from redis.sentinel import SentinelConnectionPool

from shared.redis_client import (
    SentinelUrl,
    _UnconfirmedPause,
    celery_broker,
    is_sentinel_url,
    parse_sentinel_url,
    primary_url,
    redacted,
    redis_client,
)

THREE_SENTINELS = "sentinel://:pw@s1:26379;sentinel://s2:26380;sentinel://s3/2?master_name=portal"


def test_a_sentinel_url_names_every_sentinel_the_primary_its_database_and_password():
    assert parse_sentinel_url(THREE_SENTINELS) == SentinelUrl(
        sentinels=(("s1", 26379), ("s2", 26380), ("s3", 26379)), master_name="portal", db=2, password="pw")


def test_the_credentials_and_database_may_be_on_every_part_when_they_agree():
    url = "sentinel://u:p%40ss@a:1/3;sentinel://u:p%40ss@b:2/3?master_name=m&sentinel_password=s%3Bcret"
    parsed = parse_sentinel_url(url)
    assert (parsed.username, parsed.password, parsed.db, parsed.sentinel_password) == ("u", "p@ss", 3, "s;cret")


@pytest.mark.parametrize(("url", "complaint"), [
    ("sentinel://a:1;sentinel://b:2", "master_name"),
    ("sentinel://a:1?master_name=", "master_name"),
    ("sentinel://:one@a:1;sentinel://:two@b:2?master_name=m", "different values of password"),
    ("sentinel://a:1/1;sentinel://b:2/2?master_name=m", "different values of db"),
    ("sentinel://a:1;redis://b:2?master_name=m", "every part"),
    ("sentinel://a:1/zero?master_name=m", "is a number"),
    ("sentinel://a:1?master_name=m&mastername=n", "unknown"),
    ("sentinel://:1?master_name=m", "no host"),
])
def test_a_sentinel_url_that_cannot_be_used_is_refused_with_what_is_wrong(url, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_sentinel_url(url)


def test_only_the_sentinel_scheme_is_a_sentinel_url():
    assert is_sentinel_url(" Sentinel://a:1?master_name=m")
    assert not is_sentinel_url("redis://a:6379/0") and not is_sentinel_url("rediss://a:6380")


def test_a_plain_url_is_the_broker_url_as_it_is_with_no_transport_options():
    assert celery_broker("redis://:pw@r:6379/1") == {"broker_url": "redis://:pw@r:6379/1",
                                                      "broker_transport_options": {}}


def test_celery_gets_every_sentinel_with_the_primarys_password_and_database_and_the_master_name():
    broker = celery_broker("sentinel://s1:26379;sentinel://:p%40ss@s2:26380/2?master_name=portal&sentinel_password=sp")
    assert broker["broker_url"] == "sentinel://:p%40ss@s1:26379/2;sentinel://:p%40ss@s2:26380/2"
    options = broker["broker_transport_options"]
    assert options["master_name"] == "portal" and options["sentinel_kwargs"]["password"] == "sp"
    # What kombu itself reads from it: the Sentinel transport, the first part's password and
    # database, every sentinel as an alternate (kombu's SentinelChannel asks each of them).
    connection = Connection(broker["broker_url"], transport_options=options)
    assert connection.transport_cls == "sentinel"
    assert (connection.password, connection.virtual_host) == ("p@ss", "2")
    assert [url.split("@")[1] for url in connection.alt] == ["s1:26379/2", "s2:26380/2"]


def test_a_sentinel_client_asks_for_the_named_primary_with_its_password_and_database():
    client = redis_client(THREE_SENTINELS, socket_timeout=2)
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and pool.service_name == "portal"
    assert {key: pool.connection_kwargs[key] for key in ("db", "password", "socket_timeout")} == \
        {"db": 2, "password": "pw", "socket_timeout": 2}
    sentinels = [sentinel.connection_pool.connection_kwargs for sentinel in pool.sentinel_manager.sentinels]
    assert [(kwargs["host"], kwargs["port"]) for kwargs in sentinels] == [("s1", 26379), ("s2", 26380), ("s3", 26379)]
    assert all(kwargs.get("password") is None for kwargs in sentinels)  # no sentinel_password: none sent


def test_a_plain_url_gives_a_plain_client():
    pool = redis_client("redis://:pw@r:6390/4").connection_pool
    assert not isinstance(pool, SentinelConnectionPool)
    assert (pool.connection_kwargs["host"], pool.connection_kwargs["port"], pool.connection_kwargs["db"]) == \
        ("r", 6390, 4)


def test_a_plain_url_is_its_own_primary():
    assert primary_url("redis://:pw@r:6379/0") == "redis://:pw@r:6379/0"


def test_no_password_is_left_in_a_printed_url():
    assert redacted("redis://:secret@r:6379/0") == "redis://r:6379/0"
    assert redacted("redis://portal:secret@r:6379/0") == "redis://portal@r:6379/0"
    printed = redacted("sentinel://:secret@s1:1;sentinel://:secret@s2:2/0?master_name=m&sentinel_password=also")
    assert printed == "sentinel://s1:1;sentinel://s2:2/0?master_name=m"
    assert redacted("redis://r:6379") == "redis://r:6379"
    assert redacted("unix:///run/redis.sock?db=1&password=secret") == "unix:///run/redis.sock?db=1"


def test_writes_no_replica_confirms_are_warned_of_once_per_outage_and_then_not_waited_for(caplog):
    pause = _UnconfirmedPause()
    with caplog.at_level(logging.WARNING, logger="shared.redis_client"):
        pause.record(True)
        assert not pause.is_paused() and caplog.text == ""
        pause.record(False)
        pause.record(False)
        assert pause.is_paused() and caplog.text.count("no replica confirmed") == 1
        pause.record(True)
    assert caplog.text.count("confirms the writes again") == 1
