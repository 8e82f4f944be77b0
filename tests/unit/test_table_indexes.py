"""No table carries an index that another of its indexes already gives."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint

from schemas.tables import Base


def test_no_single_column_index_repeats_the_lead_of_a_unique_constraint_or_a_wider_index() -> None:
    # Each index is one more write per row: a national assessment writes 800,000 score rows.
    redundant = []
    for name, table in Base.metadata.tables.items():
        leads = {next(iter(c.columns)).name for c in table.constraints if isinstance(c, UniqueConstraint)}
        leads |= {next(iter(i.columns)).name for i in table.indexes if i.unique or len(i.columns) > 1}
        redundant += [
            f"{name}.{i.name}"
            for i in table.indexes
            if len(i.columns) == 1 and not i.unique and next(iter(i.columns)).name in leads
        ]
    assert not redundant
