"""who an import acts for: the uploader's rights for the preview, the starter and their rights for applying

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_jobs", sa.Column("created_by_rights", sa.JSON))
    op.add_column("import_jobs", sa.Column("started_by", sa.Text))
    op.add_column("import_jobs", sa.Column("started_by_rights", sa.JSON))


def downgrade() -> None:
    for column in ("started_by_rights", "started_by", "created_by_rights"):
        op.drop_column("import_jobs", column)
