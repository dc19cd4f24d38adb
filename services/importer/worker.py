"""Worker entry point: `celery -A services.importer.worker worker -Q importer -n importer@%h`.

No beat is needed: every importer worker keeps the sweep going (sweeping.py), one at a time.
"""

from celery.signals import worker_ready, worker_shutdown

from services.importer import tasks  # noqa: F401  (registers the tasks)
from services.importer.bootstrap import CelerySender, build_service
from services.importer.sweeping import sweep_schedule
from shared.celery_app import create_worker_app
from shared.config import Settings
from shared.messages import IMPORTER_QUEUE

settings = Settings.from_env()
service = build_service(settings)
flask_app = create_worker_app("importer", settings, service, IMPORTER_QUEUE)
celery_app = flask_app.extensions["celery"]
service.sender = CelerySender(celery_app)
_running = []


@worker_ready.connect
def start_sweeping(**_):
    schedule = sweep_schedule(celery_app, settings)
    schedule.start()
    _running.append(schedule)


@worker_shutdown.connect
def stop_sweeping(**_):
    """Hands the lease on at once rather than after its time."""
    while _running:
        _running.pop().stop()
