"""the audit trail, and the right to read it for application managers

`audit_entries` holds the users service's own entries and those it collects from the other
services' `audit.recorded` events. The application manager holds every right, so the built-in
function stored by 0001 gains `audit:read`.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AUDIT_READ = "audit:read"
MANAGER_FUNCTION = "applicatiebeheerder"
_functions = sa.table("school_functions", sa.column("code", sa.String), sa.column("rights", sa.JSON))


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(32)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("client", sa.String(64)),
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at", "id"])
    op.create_index("ix_audit_entries_actor", "audit_entries", ["actor", "at"])
    op.create_index("ix_audit_entries_target", "audit_entries", ["target", "at"])
    op.create_index("ix_audit_entries_action", "audit_entries", ["action", "at"])
    _change_manager_rights(lambda rights: rights if AUDIT_READ in rights else [*rights, AUDIT_READ])


def downgrade() -> None:
    _change_manager_rights(lambda rights: [right for right in rights if right != AUDIT_READ])
    op.drop_table("audit_entries")


def _change_manager_rights(change) -> None:
    connection = op.get_bind()
    for code, rights in connection.execute(sa.select(_functions.c.code, _functions.c.rights)
                                           .where(_functions.c.code == MANAGER_FUNCTION)).all():
        connection.execute(sa.update(_functions).where(_functions.c.code == code)
                           .values(rights=change(list(rights or []))))
