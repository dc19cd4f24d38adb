"""Two fixes to kombu's Redis transport (kombu 5.7.0), applied by `celery_init_app`.

The first: a worker whose ack fails on a lost connection ("Couldn't ack ..., reason: ConnectionError", which
Celery logs and swallows) keeps the message in its channel's QoS as delivered and unacknowledged.
With a prefetch of one (our solo workers: one task at a time, acks late) the QoS then never lets
the channel consume again, so the worker stops sending BRPOP and stops polling its BRPOP socket:
it never reads the error that would make it reconnect. It stays alive and consumes nothing, for
good. We saw it after `CLIENT KILL TYPE normal` while a task ran
(tests/integration/test_worker_survives_redis_restarts.py); the same class of hang is reported in
celery/celery#8030 and #9054 ("worker stops consuming after Redis reconnection") and the failed ack
in packit/packit-service#2697.

The fix: a failed ack still raises, but the message stops counting against the prefetch limit
first. The worker then polls its socket again, finds the connection gone and reconnects. The
message itself is not lost: Redis keeps it in the transport's unacked index, and any worker
delivers it again after the visibility timeout (shared/celery_app.py); tasks are idempotent.

The second: when a worker loses its broker with a task unacknowledged, Celery
(`on_connection_error_after_connected`) first collects the connection, which drops the transport's
client, then closes it; closing the channel restores the unacknowledged messages, which needs a
client: `'NoneType' object has no attribute 'hostname'`, an "Unrecoverable error", and the worker
exits. Seen in the Sentinel failover test under load (a supervisor restarts such a worker; the
test's plain processes stay gone); not yet reproduced by a test of its own. With no client left,
the restore is skipped: Redis keeps those messages in the unacked index, and any worker restores
them after the visibility timeout, as after a crash.

The third, the second's sibling: an ack that failed on the lost connection releases its message (the
first fix), so closing the channel has nothing to restore and leaves it without a connection pool;
an ack or reject that the worker's event loop still holds for that message then runs on a channel
whose transport is gone: `'NoneType' object has no attribute 'client'`, uncaught, and the worker
exits (the Redis-restart fault test, tests/e2e/faults). Such an ack now fails as what it is, a
connection error, which Celery logs ("Couldn't ack") and survives.
"""

from __future__ import annotations

import functools

import redis
from kombu.transport import redis as redis_transport
from kombu.transport import virtual

_APPLIED = "_portal_failed_ack_releases_prefetch"


def _release_prefetch_on_connection_error(method):
    @functools.wraps(method)
    def wrapper(self, delivery_tag, *args, **kwargs):
        if self.channel.connection is None:
            virtual.QoS.ack(self, delivery_tag)
            raise redis.ConnectionError("the channel was closed with its connection")
        try:
            return method(self, delivery_tag, *args, **kwargs)
        except self.channel.connection_errors:
            virtual.QoS.ack(self, delivery_tag)  # only the local bookkeeping: marks it done
            raise

    return wrapper


def _no_restore_without_a_client(method):
    @functools.wraps(method)
    def wrapper(self, client=None):
        transport = self.channel.connection
        if client is None and (transport is None or transport.client is None):
            self._delivered.clear()  # still in Redis' unacked index: restored after the visibility timeout
            return None
        return method(self, client)

    return wrapper


def apply() -> None:
    """Idempotent: patches kombu's Redis QoS once per process."""
    qos = redis_transport.QoS
    if getattr(qos, _APPLIED, False):
        return
    qos.ack = _release_prefetch_on_connection_error(qos.ack)  # type: ignore[method-assign]
    qos.reject = _release_prefetch_on_connection_error(qos.reject)  # type: ignore[method-assign]
    qos.restore_unacked = _no_restore_without_a_client(qos.restore_unacked)  # type: ignore[method-assign]
    setattr(qos, _APPLIED, True)
