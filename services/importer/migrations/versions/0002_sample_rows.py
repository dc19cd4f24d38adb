"""the first records of a file, as read, for labelling columns in a preview table

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_jobs", sa.Column("sample_rows", sa.JSON))


def downgrade() -> None:
    op.drop_column("import_jobs", "sample_rows")
