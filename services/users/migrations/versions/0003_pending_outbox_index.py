"""index only the unpublished outbox events, in publishing order

Publishers ask for "the oldest unpublished events": with an index over every row's published_at the
planner walks the primary key and filters, reading the whole (growing) table each time.

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
    op.drop_index("ix_outbox_events_published_at", table_name="outbox_events")
    op.create_index("ix_outbox_events_pending", "outbox_events", ["id"],
                    postgresql_where=sa.text("published_at IS NULL"), sqlite_where=sa.text("published_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    op.create_index("ix_outbox_events_published_at", "outbox_events", ["published_at"])
