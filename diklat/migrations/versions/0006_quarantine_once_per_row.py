"""quarantine once per row: a row of a file is quarantined at most once per batch

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quarantined_row") as batch:
        batch.create_unique_constraint("uq_quarantined_row_batch_id_row_number", ["batch_id", "row_number"])


def downgrade() -> None:
    with op.batch_alter_table("quarantined_row") as batch:
        batch.drop_constraint("uq_quarantined_row_batch_id_row_number", type_="unique")
