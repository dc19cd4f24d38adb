"""the outbox keeps only events still to publish: a published event's row is deleted

Marking rows published kept every envelope forever (a 1,000,000-row import left a gigabyte behind)
and made publishing rewrite each row; deleting it is cheaper and the stream holds the event.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM outbox_events WHERE published_at IS NOT NULL")
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("published_at")


def downgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True)))
    op.create_index("ix_outbox_events_pending", "outbox_events", ["id"],
                    postgresql_where=sa.text("published_at IS NULL"), sqlite_where=sa.text("published_at IS NULL"))
