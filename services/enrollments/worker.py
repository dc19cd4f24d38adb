"""Worker entry point: `celery -A services.enrollments.worker worker -Q enrollments -n enrollments@%h`."""

from services.enrollments import tasks  # noqa: F401  (registers the tasks)
from services.enrollments.app import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
