"""Worker entry point: `celery -A services.importer.worker worker -Q importer -n importer@%h`.

The sweep runs on a beat schedule: start one beat (`celery -A services.importer.worker beat`, or
`-B` on a single worker) so that unanswered chunks are sent again and jobs never hang.
"""

from celery.signals import worker_ready

from services.importer import tasks  # noqa: F401  (registers the tasks)
from services.importer.app import create_app
from shared.messages import SWEEP_IMPORTS

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
celery_app.conf.beat_schedule = {
    "sweep-imports": {"task": SWEEP_IMPORTS, "schedule": flask_app.extensions["settings"].sweep_seconds,
                      "options": {"queue": tasks.QUEUE, "expires": 30}},
}


@worker_ready.connect
def resume_unfinished_jobs(**_):
    """A worker that comes back picks up the jobs that were running when workers died."""
    celery_app.send_task(SWEEP_IMPORTS, queue=tasks.QUEUE)
