"""cohort lease: the cohort write lock kept in the database, with an owner and an expiry

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_lease",
        sa.Column("key", sa.String(length=260), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("run_name", sa.String(length=200), nullable=True),
        sa.Column("host", sa.String(length=200), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cohort_lease")),
    )


def downgrade() -> None:
    op.drop_table("cohort_lease")
