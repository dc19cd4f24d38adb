"""import jobs, uploaded file blocks, row chunks

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ACTIONS = ("create", "update", "unchanged", "skip", "error")


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("columns", sa.JSON, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("total_rows", sa.Integer),
        sa.Column("chunk_count", sa.Integer),
        sa.Column("start_when_ready", sa.Boolean, nullable=False),
        sa.Column("analysis_sent_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.JSON),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "import_file_blocks",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "import_chunks",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("generation", sa.Integer, primary_key=True),
        sa.Column("chunk_no", sa.Integer, primary_key=True),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("rows", sa.JSON, nullable=False),
        sa.Column("plan", sa.JSON),
        sa.Column("result", sa.JSON),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False),
        *[sa.Column(f"{phase}_{action}", sa.Integer, nullable=False)
          for phase in ("planned", "done") for action in ACTIONS],
    )


def downgrade() -> None:
    op.drop_table("import_chunks")
    op.drop_table("import_file_blocks")
    op.drop_table("import_jobs")
