from services.importer.orm import Base
from shared.db import run_alembic_env

run_alembic_env(Base.metadata)
