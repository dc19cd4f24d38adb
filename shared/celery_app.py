"""The Celery app factory, wired as in Flask's own example: tasks run inside the app context."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from shared import kombu_fixes

# Redelivery after a lost worker: a task not acknowledged within this time is given to another
# worker. Tasks ack late, so a killed worker's task runs again; handlers must be idempotent.
VISIBILITY_TIMEOUT_SECONDS = 300


def celery_init_app(app: Flask, queue: str, broker_url: str) -> Celery:
    kombu_fixes.apply()  # a worker goes on consuming after an ack lost with its connection
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker_url,
        task_ignore_result=True,
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        worker_hijack_root_logger=False,
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def workers_answering(celery_app: Celery, queue: str, timeout: float = 1.0) -> list[str]:
    """Names of the workers that answer a ping and consume `queue` (worker names are queue@host)."""
    replies = celery_app.control.ping(timeout=timeout) or []
    names = [name for reply in replies for name in reply]
    return [name for name in names if name.split("@", 1)[0] == queue]
