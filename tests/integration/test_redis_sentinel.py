"""The Redis client, Celery's broker and the replicated writes against a real Sentinel set on this
machine: a primary, a replica and three sentinels."""

import logging
import signal
import time

import pytest
import redis
from kombu import Connection

from shared import redis_client as redis_connections
from shared.redis_client import celery_broker, execute_replicated, primary_url, redis_client
from tests.processes import wait_until
from tests.services import sentinel_redis


@pytest.fixture
def sentinels():
    with sentinel_redis() as running:
        yield running


def replica_port(sentinels):
    [port] = [port for port in sentinels.servers if port != sentinels.primary_port()]
    return port


def test_a_client_of_a_sentinel_url_follows_the_primary_across_a_failover(sentinels):
    client = redis_client(sentinels.url, socket_timeout=2)
    client.set("before", "the failover")
    replica = replica_port(sentinels)
    assert primary_url(sentinels.url).endswith(f"@127.0.0.1:{sentinels.primary_port()}/0")

    # The write is on the replica when execute_replicated returns: the failover cannot lose it.
    pipe = client.pipeline(transaction=False)
    pipe.set("confirmed", "yes")
    assert execute_replicated(pipe) == [True]
    assert sentinels.server(replica).get("confirmed") == b"yes"

    sentinels.kill_primary()

    def written():
        try:
            return client.set("after", "the failover")
        except redis.RedisError:  # refused, then no primary named, until the replica is promoted
            return None

    wait_until(written, 30, "the client to write to the promoted replica", interval=0.1)
    assert sentinels.primary_port() == replica
    assert (client.get("before"), client.get("confirmed")) == (b"the failover", b"yes")
    assert primary_url(sentinels.url).endswith(f"@127.0.0.1:{replica}/0")


def test_celery_reaches_the_primary_through_the_sentinels_with_the_transport_options(sentinels):
    broker = celery_broker(sentinels.url)
    with Connection(broker["broker_url"], transport_options=broker["broker_transport_options"]) as connection:
        queue = connection.SimpleQueue("sentinel-test")
        queue.put({"chunk": 1})
        message = queue.get(timeout=5)
        message.ack()
        queue.close()
    assert message.payload == {"chunk": 1}
    assert sentinels.server(sentinels.primary_port()).exists("_kombu.binding.sentinel-test")


def test_without_a_replica_writes_wait_once_then_go_on_unconfirmed_for_a_while(sentinels, caplog, monkeypatch):
    monkeypatch.setattr(redis_connections, "_unconfirmed", redis_connections._UnconfirmedPause())
    client = redis_client(sentinels.url)
    sentinels.servers[replica_port(sentinels)].send_signal(signal.SIGKILL)
    wait_until(lambda: sentinels.server(sentinels.primary_port()).info("replication")["connected_slaves"] == 0,
               10, "the primary to see its replica gone")

    def timed_write():
        pipe = client.pipeline(transaction=False)
        pipe.incr("counter")
        started = time.monotonic()
        answers = execute_replicated(pipe)
        return answers, time.monotonic() - started

    with caplog.at_level(logging.WARNING, logger="shared.redis_client"):
        (first, waited), (second, not_waited) = timed_write(), timed_write()
    assert (first, second) == ([1], [2])  # written either way
    assert waited >= redis_connections.REPLICA_WAIT_MS / 1000 > not_waited
    assert "no replica confirmed" in caplog.text
