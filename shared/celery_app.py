"""The Celery app factory, wired as in Flask's own example: tasks run inside the app context."""

from __future__ import annotations

import functools

from celery import Celery, Task
from celery.worker.consumer import Consumer
from flask import Flask

from shared import kombu_fixes
from shared.config import Settings, check_secret_key
from shared.redis_client import celery_broker

# Redelivery after a lost worker: a task not acknowledged within this time is given to another
# worker. Tasks ack late, so a killed worker's task runs again; handlers must be idempotent.
VISIBILITY_TIMEOUT_SECONDS = 300
BROKER_RETRY_SECONDS = 0.5


class PromptlyReconnectingConsumer(Consumer):
    """Celery's worker consumer, trying a lost broker again every half second. kombu's default
    waits 2, 4, 6 ... up to 30 s between attempts, so a worker (and with it `/health`, which asks
    for one on every queue) came back up to half a minute after Redis did."""

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection, interval_start=BROKER_RETRY_SECONDS, interval_step=BROKER_RETRY_SECONDS,
            interval_max=BROKER_RETRY_SECONDS)
        return super().ensure_connected(conn)


def celery_init_app(app: Flask, queue: str, redis_url: str) -> Celery:
    """The app's Celery on `queue`, its broker the Redis that `redis_url` names (one server or a
    Sentinel set, see shared/redis_client.py)."""
    kombu_fixes.apply()  # a worker goes on consuming after an ack lost with its connection

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    broker = celery_broker(redis_url)
    celery_app.conf.update(
        broker_url=broker["broker_url"],
        task_ignore_result=True,
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_consumer=f"{__name__}:{PromptlyReconnectingConsumer.__name__}",
        broker_transport_options={**broker["broker_transport_options"],
                                  "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        worker_hijack_root_logger=False,
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def create_worker_app(name: str, settings: Settings, service: object, queue: str) -> Flask:
    """The Flask app a service's worker runs its tasks in: `service` in `app.extensions[name]`, the
    settings in `app.extensions["settings"]`, and Celery on `queue`. Nothing of HTTP (routes, error
    pages, tokens, the copy of ended sessions): a worker answers no request, and what only requests
    need (the API modules, PyJWT, and pydantic where the service's own rules do not use it) held
    about 10 MB of each worker's memory."""
    check_secret_key(settings.secret_key, generated=settings.secret_key_generated)
    app = Flask(name)
    app.extensions[name] = service
    app.extensions["settings"] = settings
    celery_init_app(app, queue, settings.require_redis_url())
    return app


def queues_with_workers(celery_app: Celery, timeout: float = 1.0) -> set[str]:
    """The queues that have a worker answering a ping (worker names are queue@host): one ping,
    which waits `timeout` for every answer, for all of them."""
    replies = celery_app.control.ping(timeout=timeout) or []
    return {name.split("@", 1)[0] for reply in replies for name in reply}
