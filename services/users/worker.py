"""Worker entry point: `celery -A services.users.worker worker -Q users -n users@%h`."""

from services.users import tasks  # noqa: F401  (registers the tasks)
from services.users.app import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
