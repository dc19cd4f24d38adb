"""Worker entry point: `celery -A services.enrollments.worker worker -Q enrollments -n enrollments@%h`."""

from services.enrollments import tasks  # noqa: F401  (registers the tasks)
from services.enrollments.bootstrap import build_service
from shared.celery_app import create_worker_app
from shared.config import Settings
from shared.messages import ENROLLMENTS_QUEUE

settings = Settings.from_env()
flask_app = create_worker_app("enrollments", settings, build_service(settings), ENROLLMENTS_QUEUE)
celery_app = flask_app.extensions["celery"]
