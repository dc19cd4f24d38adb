"""students directory, schedule projects, departments, enrollments, learning paths, applied chunks

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "students",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("is_student", sa.Boolean, nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.Column("first_name", sa.Text),
        sa.Column("prefix", sa.Text),
        sa.Column("last_name", sa.Text),
        sa.Column("changed_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "schedule_projects",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("school_year", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "departments",
        sa.Column("schedule_project", sa.String(64), sa.ForeignKey("schedule_projects.code"), primary_key=True),
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("year_of_education", sa.Integer, nullable=False),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("schedule_project", sa.String(64), nullable=False),
        sa.Column("student", sa.String(32), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("prognosis", sa.Float),
        sa.Column("profile", sa.Text),
        sa.Column("education", sa.Text),
        sa.Column("main_group", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("schedule_project", "student", name="uq_enrollment_student_per_project"),
        sa.ForeignKeyConstraint(["schedule_project", "department"],
                                ["departments.schedule_project", "departments.code"]),
    )
    op.create_index("ix_enrollments_department", "enrollments", ["schedule_project", "department"])
    op.create_table(
        "learning_paths",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("element_code", sa.String(64), nullable=False),
        sa.Column("lwoo_element_code", sa.String(64)),
        sa.Column("years_of_education", sa.JSON, nullable=False),
        sa.Column("educations", sa.JSON, nullable=False),
        sa.Column("profiles", sa.JSON, nullable=False),
    )
    op.create_table(
        "applied_chunks",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("applied_chunks", "learning_paths", "enrollments", "departments", "schedule_projects", "students"):
        op.drop_table(table)
