"""drop the single-column indexes whose column already leads a unique constraint

A lookup by ``score.enrolment_id`` is served by the index of UNIQUE (enrolment_id, component,
assessor) as well as by an index of its own; the second index was only one more write per row (800,000
score rows and 1.5 million coaching-log and deliverable rows in a national year).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# (table, column): the index was ix_<table>_<column>
REDUNDANT = [
    ("enrolment", "cohort_id"),
    ("session", "cohort_id"),
    ("milestone", "cohort_id"),
    ("guidance_log", "enrolment_id"),
    ("deliverable", "enrolment_id"),
    ("score", "enrolment_id"),
    ("assessor", "cohort_id"),
    ("survey_answer", "cohort_id"),
    ("survey_expected", "cohort_id"),
    ("quarantined_row", "batch_id"),
    ("calendar_notice", "cohort_id"),
    ("survey_invitation", "cohort_id"),
]


def upgrade() -> None:
    for table, column in REDUNDANT:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in REDUNDANT:
        op.create_index(f"ix_{table}_{column}", table, [column])
