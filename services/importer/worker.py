"""Worker entry point: `celery -A services.importer.worker worker -Q importer -n importer@%h`.

No beat is needed: every importer worker keeps the sweep going (sweeping.py), one at a time.
"""

from celery.signals import worker_ready, worker_shutdown

from services.importer import tasks  # noqa: F401  (registers the tasks)
from services.importer.app import create_app
from services.importer.sweeping import sweep_schedule

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
_running = []


@worker_ready.connect
def start_sweeping(**_):
    schedule = sweep_schedule(celery_app, flask_app.extensions["settings"])
    schedule.start()
    _running.append(schedule)


@worker_shutdown.connect
def stop_sweeping(**_):
    """Hands the lease on at once rather than after its time."""
    while _running:
        _running.pop().stop()
