"""a user's school functions in a JSON list on the user instead of a link table

The link table cost two foreign-key checks per user on every import (the largest part of the
database's work for a new student); school functions are never deleted and the service checks
every code it stores, so the list on the row keeps the same guarantees.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_LIST_OF_CODES = {
    "postgresql": "SELECT COALESCE(json_agg(function_code ORDER BY function_code), '[]'::json) "
                  "FROM user_school_functions WHERE user_id = users.id",
    "sqlite": "SELECT json_group_array(function_code) FROM "
              "(SELECT function_code FROM user_school_functions WHERE user_id = users.id ORDER BY function_code)",
}
_CODES_OF_EACH_USER = {
    "postgresql": "SELECT id, json_array_elements_text(school_functions) FROM users",
    "sqlite": "SELECT users.id, codes.value FROM users, json_each(users.school_functions) AS codes",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("users", sa.Column("school_functions", sa.JSON))
    op.execute(f"UPDATE users SET school_functions = ({_LIST_OF_CODES[dialect]})")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("school_functions", existing_type=sa.JSON, nullable=False)
    op.drop_table("user_school_functions")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Read first: on SQLite, dropping the column rebuilds the users table, which would cascade to the links.
    links = [{"user_id": user_id, "function_code": code}
             for user_id, code in op.get_bind().execute(sa.text(_CODES_OF_EACH_USER[dialect]))]
    with op.batch_alter_table("users") as batch:
        batch.drop_column("school_functions")
    table = op.create_table(
        "user_school_functions",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("function_code", sa.String(64), sa.ForeignKey("school_functions.code"), primary_key=True),
    )
    op.bulk_insert(table, links)
