from services.users.orm import Base
from shared.db import run_alembic_env

run_alembic_env(Base.metadata)
