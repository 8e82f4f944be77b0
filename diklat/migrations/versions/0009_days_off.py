"""an agency's own days off per programme, and the notices of calendars they moved

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column("flow_run_id", sa.String(length=36), nullable=True),
        sa.Column("declared_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_day_off_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_off")),
        sa.UniqueConstraint("programme_id", "day", name=op.f("uq_day_off_programme_id_day")),
    )
    op.create_table(
        "calendar_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("sessions_moved", sa.Integer(), nullable=False),
        sa.Column("milestones_moved", sa.Integer(), nullable=False),
        sa.Column("old_end_date", sa.Date(), nullable=False),
        sa.Column("new_end_date", sa.Date(), nullable=False),
        sa.Column("first_moved", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("announced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"], name=op.f("fk_calendar_notice_cohort_id_cohort")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_notice")),
        sa.UniqueConstraint("cohort_id", "day", name=op.f("uq_calendar_notice_cohort_id_day")),
    )
    op.create_index(op.f("ix_calendar_notice_cohort_id"), "calendar_notice", ["cohort_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_notice_cohort_id"), table_name="calendar_notice")
    op.drop_table("calendar_notice")
    op.drop_table("day_off")
