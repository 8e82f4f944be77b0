"""one-time questionnaire links, and the codes of replaced certificate versions

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=False),
        sa.Column("alumnus_nip", sa.String(length=18), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("bounced_at", sa.DateTime(), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"], name=op.f("fk_survey_invitation_cohort_id_cohort")),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["survey_invitation.id"],
            name=op.f("fk_survey_invitation_invited_by_id_survey_invitation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
        sa.UniqueConstraint(
            "cohort_id",
            "wave",
            "alumnus_nip",
            "role",
            "respondent_key",
            name=op.f("uq_survey_invitation_cohort_id_wave_alumnus_nip_role_respondent_key"),
        ),
        sa.UniqueConstraint("nonce", name=op.f("uq_survey_invitation_nonce")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_survey_invitation_token_sha256")),
    )
    op.create_index(op.f("ix_survey_invitation_cohort_id"), "survey_invitation", ["cohort_id"])
    op.create_table(
        "certificate_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("verification_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("replaced_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificate.id"], name=op.f("fk_certificate_code_certificate_id_certificate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_code")),
        sa.UniqueConstraint("verification_code", name=op.f("uq_certificate_code_verification_code")),
    )
    op.create_index(op.f("ix_certificate_code_certificate_id"), "certificate_code", ["certificate_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_certificate_code_certificate_id"), table_name="certificate_code")
    op.drop_table("certificate_code")
    op.drop_index(op.f("ix_survey_invitation_cohort_id"), table_name="survey_invitation")
    op.drop_table("survey_invitation")
