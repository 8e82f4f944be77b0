"""certificate revocation by an operator: held back, with the date and the reason, until re-issued

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("held_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("held_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("held_reason")
        batch.drop_column("held_on")
        batch.drop_column("held")
