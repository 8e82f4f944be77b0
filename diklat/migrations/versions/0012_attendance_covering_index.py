"""attendance read by the progress rules from one covering index

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attendance_progress", "attendance", ["enrolment_id", "session_id", "jp"])
    op.drop_index("ix_attendance_enrolment_id", table_name="attendance")


def downgrade() -> None:
    op.create_index("ix_attendance_enrolment_id", "attendance", ["enrolment_id"])
    op.drop_index("ix_attendance_progress", table_name="attendance")
