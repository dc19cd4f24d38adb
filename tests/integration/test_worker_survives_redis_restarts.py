"""A Celery worker started as `portal run` starts it outlives its Redis going away, again and again."""

import contextlib
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from kombu import Connection, Queue

from portal.embedded import redis_server_binary, worker_argv
from services.users.bootstrap import migrate
from shared import kombu_fixes
from shared.config import Settings
from shared.messages import PUBLISH_USER_EVENTS, USERS_QUEUE
from tests.processes import start, stop, wait_until
from tests.services import free_port

# Every way a worker loses its broker: the server killed, stopped, or dropping its clients.
LOSSES = ("kill", "stop", "client kill", "kill", "stop", "client kill")
TASKS_PER_ROUND = 20


class RestartableRedis:
    """A redis-server of our own on a fixed port, with its append-only file, to break and bring back."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "yes", "--logfile", str(self.directory / "redis.log")])
        wait_until(self.answers, 10, "Redis to answer")

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port).ping()
        except (redis.ConnectionError, redis.BusyLoadingError):
            return False

    def lose(self, how: str) -> None:
        if how == "client kill":
            redis.Redis(port=self.port).execute_command("CLIENT", "KILL", "TYPE", "normal")
            return
        self.process.send_signal(signal.SIGKILL if how == "kill" else signal.SIGTERM)
        self.process.wait(timeout=10)
        time.sleep(0.5)  # the worker finds nobody there for a while
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    server = RestartableRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_worker_keeps_consuming_after_its_redis_is_killed_stopped_and_drops_its_clients(own_redis, tmp_path):
    env = {"REDIS_URL": own_redis.url, "USERS_DATABASE_URL": f"sqlite:///{tmp_path / 'users.sqlite3'}",
           "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_FAULT": "",
           "PORTAL_SECRET_KEY": "redis-restarts-secret-key-that-is-long-enough-01"}
    migrate(Settings.from_env(env))
    log = tmp_path / "users-worker.log"
    worker = start(worker_argv("users", "-l", "info"), env, log)  # at info the log names every task received
    sender = Celery(broker=own_redis.url)
    queue = redis.Redis(port=own_redis.port)

    def send(count: int) -> None:
        for _ in range(count):
            sender.send_task(PUBLISH_USER_EVENTS, queue=USERS_QUEUE)

    def consumed() -> int:
        return len(re.findall(rf"Task {re.escape(PUBLISH_USER_EVENTS)}\[[^\]]+\] received", log.read_text()))

    try:
        wait_until(lambda: "ready." in log.read_text(), 60, "the worker to be ready")
        for how in LOSSES:
            send(TASKS_PER_ROUND)
            own_redis.lose(how)
            before = consumed()
            send(TASKS_PER_ROUND)  # sent after the loss: only a worker that came back consumes them
            wanted = before + TASKS_PER_ROUND
            wait_until(lambda: queue.llen(USERS_QUEUE) == 0 and consumed() >= wanted,  # noqa: B023 (waited for here)
                       60, f"the worker to consume again after `{how}`")
            assert worker.poll() is None, f"the worker exited after `{how}`: {log.read_text()[-3000:]}"
    finally:
        stop(worker)
    output = log.read_text(errors="replace")
    assert output.count("Connection to broker lost") >= len(LOSSES) - 1
    assert "Unrecoverable" not in output


def test_an_ack_lost_with_its_connection_no_longer_holds_the_only_prefetch_slot(own_redis):
    """The cause of the worker that stayed alive and consumed nothing (shared/kombu_fixes.py)."""
    kombu_fixes.apply()
    with Connection(own_redis.url) as connection:
        queue = Queue("fix", routing_key="fix")
        connection.Producer().publish({"n": 1}, routing_key="fix", declare=[queue])
        received = []
        consumer = connection.Consumer(queue, callbacks=[lambda body, message: received.append(message)])
        consumer.qos(prefetch_count=1)
        with consumer:
            connection.drain_events(timeout=5)
            [message] = received
            assert not message.channel.qos.can_consume()
            own_redis.stop()
            with pytest.raises(redis.ConnectionError):
                message.ack()
            assert message.channel.qos.can_consume(), "the lost ack keeps the worker from consuming"
            own_redis.start()
    # The message is still in Redis' unacked index: after the visibility timeout it is delivered again.
    assert redis.Redis(port=own_redis.port).zcard("unacked_index") == 1


def test_an_ack_still_held_for_a_channel_closed_with_its_connection_fails_as_a_connection_error(own_redis):
    """The worker that exited with "'NoneType' object has no attribute 'client'" (shared/kombu_fixes.py)."""
    kombu_fixes.apply()
    connection = Connection(own_redis.url)
    queue = Queue("fix", routing_key="fix")
    connection.Producer().publish({"n": 1}, routing_key="fix", declare=[queue])
    received = []
    consumer = connection.Consumer(queue, callbacks=[lambda body, message: received.append(message)])
    consumer.qos(prefetch_count=1)
    consumer.consume()
    connection.drain_events(timeout=5)
    [message] = received
    own_redis.stop()
    with pytest.raises(redis.ConnectionError):
        message.ack()  # fails on the lost connection and releases the message
    with contextlib.suppress(*connection.connection_errors):
        connection.collect()  # what Celery does on a lost broker: the channel loses its transport
    assert message.channel.connection is None
    with pytest.raises(redis.ConnectionError):  # which Celery's ack_log_error logs and survives
        message.ack()
    message.channel.qos.restore_unacked()  # nothing to restore through, and no AttributeError either
    own_redis.start()
