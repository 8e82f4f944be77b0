"""programme key: names that reduce to the same folder/lock/prefix cannot both exist

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # Frozen copy of diklat.domain.programme.programme_key as of this revision.
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("key", sa.String(length=200), nullable=True))
    conn = op.get_bind()
    programme = sa.table("programme", sa.column("id", sa.Integer), sa.column("name"), sa.column("key"))
    taken: set[str] = set()
    for pid, name in conn.execute(sa.select(programme.c.id, programme.c.name).order_by(programme.c.id)).all():
        key = _key(name) or f"programme-{pid}"
        if key in taken:  # two programmes recorded before this rule: the later one gets its id
            key = f"{key}-{pid}"
        taken.add(key)
        conn.execute(programme.update().where(programme.c.id == pid).values(key=key))
    with op.batch_alter_table("programme") as batch:
        batch.alter_column("key", existing_type=sa.String(length=200), nullable=False)
        batch.create_index("ix_programme_key", ["key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.drop_index("ix_programme_key")
        batch.drop_column("key")
