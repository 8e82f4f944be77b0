"""the instrument version each cohort's evaluation wave runs with

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_wave_instrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"], name=op.f("fk_survey_wave_instrument_cohort_id_cohort")),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["survey_instrument.id"],
            name=op.f("fk_survey_wave_instrument_instrument_id_survey_instrument"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_wave_instrument")),
        sa.UniqueConstraint("cohort_id", "wave", name=op.f("uq_survey_wave_instrument_cohort_id_wave")),
    )


def downgrade() -> None:
    op.drop_table("survey_wave_instrument")
