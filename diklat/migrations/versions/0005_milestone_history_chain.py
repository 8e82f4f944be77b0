"""milestone history chain: each status row names the row it follows, uniquely

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("milestone_status") as batch:
        batch.add_column(sa.Column("follows_id", sa.Integer(), server_default="0", nullable=False))
    conn = op.get_bind()
    status = sa.table(
        "milestone_status",
        sa.column("id", sa.Integer),
        sa.column("milestone_id", sa.Integer),
        sa.column("enrolment_id", sa.Integer),
        sa.column("as_of", sa.Date),
        sa.column("follows_id", sa.Integer),
    )
    # Existing history: each row follows the one before it in (as_of, id) order of its participant's milestone.
    rows = conn.execute(
        sa.select(status.c.id, status.c.milestone_id, status.c.enrolment_id).order_by(
            status.c.milestone_id, status.c.enrolment_id, status.c.as_of, status.c.id
        )
    ).all()
    updates, previous = [], {}
    for row_id, milestone_id, enrolment_id in rows:
        key = (milestone_id, enrolment_id)
        if key in previous:
            updates.append({"row_id": row_id, "follows": previous[key]})
        previous[key] = row_id
    if updates:
        conn.execute(
            status.update().where(status.c.id == sa.bindparam("row_id")).values(follows_id=sa.bindparam("follows")),
            updates,
        )
    with op.batch_alter_table("milestone_status") as batch:
        batch.drop_index("ix_milestone_status_lookup")
        batch.create_index(
            "ix_milestone_status_chain", ["milestone_id", "enrolment_id", "as_of", "follows_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("milestone_status") as batch:
        batch.drop_index("ix_milestone_status_chain")
        batch.create_index("ix_milestone_status_lookup", ["milestone_id", "enrolment_id", "as_of"])
        batch.drop_column("follows_id")
