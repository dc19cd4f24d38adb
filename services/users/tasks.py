"""Celery tasks of the users queue: deserialize, call the service, nothing else."""

from celery import shared_task
from flask import current_app

QUEUE = "users"


@shared_task(name="users.publish_events")
def publish_events() -> int:
    """Publish whatever the outbox holds now (the relay does this too, on its own schedule)."""
    publisher = current_app.extensions["users"].publisher
    return publisher.publish_pending()
