"""the audit outbox keeps a published event's row, marked, until the retention window has passed

As in the users service's log: a published row keeps its time of publication and the stream entry id
it got, so the relay can put back on `portal:events` what Redis lost; published rows are deleted once
older than PORTAL_EVENT_RETENTION_HOURS (the users service's audit trail is the record of these entries).
The unique constraint on `event_id` goes, as in the users service (random UUIDs, never looked up).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PENDING = sa.text("published_at IS NULL")
PUBLISHED = sa.text("published_at IS NOT NULL")


# Names the constraint 0001 created without one, so SQLite's batch mode can drop it.
UNIQUE_EVENT_ID = "uq_outbox_events_event_id"
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", naming_convention=NAMING) as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("stream_id", sa.String(40)))
        batch.drop_constraint(_unique_name(), type_="unique")
    op.create_index("ix_outbox_events_pending", "outbox_events", ["id"],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index("ix_outbox_events_published", "outbox_events", ["published_at", "id"],
                    postgresql_where=PUBLISHED, sqlite_where=PUBLISHED)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_events WHERE published_at IS NOT NULL")
    op.drop_index("ix_outbox_events_published", table_name="outbox_events")
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    with op.batch_alter_table("outbox_events", naming_convention=NAMING) as batch:
        batch.drop_column("stream_id")
        batch.drop_column("published_at")
        batch.create_unique_constraint(_unique_name(), ["event_id"])


def _unique_name() -> str:
    """PostgreSQL named the constraint itself; SQLite's has the name NAMING gives it."""
    return "outbox_events_event_id_key" if op.get_bind().dialect.name == "postgresql" else UNIQUE_EVENT_ID
