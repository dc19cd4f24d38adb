"""leavers (archive_missing): the archive counts of chunks, the file's keys for the leavers chunk, and the
number of active students the leavers were planned against

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_chunks") as batch:
        batch.add_column(sa.Column("planned_archive", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("done_archive", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("file_keys", sa.Text, nullable=True))
    op.add_column("import_jobs", sa.Column("active_students", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("import_jobs", "active_students")
    with op.batch_alter_table("import_chunks") as batch:
        batch.drop_column("file_keys")
        batch.drop_column("done_archive")
        batch.drop_column("planned_archive")
