"""Worker entry point: `celery -A services.users.worker worker -Q users -n users@%h`."""

from services.users import tasks  # noqa: F401  (registers the tasks)
from services.users.bootstrap import build_service
from shared.celery_app import create_worker_app
from shared.config import Settings
from shared.messages import USERS_QUEUE

settings = Settings.from_env()
flask_app = create_worker_app("users", settings, build_service(settings), USERS_QUEUE)
celery_app = flask_app.extensions["celery"]
