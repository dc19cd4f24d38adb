"""users, school functions with the built-in ones, outbox

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

from services.users.domain import BUILTIN_FUNCTIONS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("first_name", sa.Text),
        sa.Column("prefix", sa.Text),
        sa.Column("last_name", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("is_student", sa.Boolean, nullable=False),
        sa.Column("is_employee", sa.Boolean, nullable=False),
        sa.Column("is_family_member", sa.Boolean, nullable=False),
        sa.Column("login_method", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    functions = op.create_table(
        "school_functions",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("rights", sa.JSON, nullable=False),
    )
    op.create_table(
        "user_school_functions",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("function_code", sa.String(64), sa.ForeignKey("school_functions.code"), primary_key=True),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_outbox_events_published_at", "outbox_events", ["published_at"])
    op.bulk_insert(
        functions,
        [
            {"code": code, "name": name, "rights": list(rights)}
            for code, (name, rights) in BUILTIN_FUNCTIONS.items()
        ],
    )


def downgrade() -> None:
    op.drop_table("outbox_events")
    op.drop_table("user_school_functions")
    op.drop_table("school_functions")
    op.drop_table("users")
