"""Every length limit of the database is a gate rule: a value too long to store is a quarantined row."""

from __future__ import annotations

from collections.abc import Iterable

import great_expectations.expectations as gxe

from diklat.gate.gx import Check
from schemas.limits import STORED_LENGTHS


def length_checks(kind: str, columns: Iterable[str]) -> list[Check]:
    """One check per stored text column of ``kind`` that the file has (optional columns may be absent)."""
    present = set(columns)
    return [
        Check(
            gxe.ExpectColumnValueLengthsToBeBetween(column=column, max_value=limit),
            "value.too_long",
            column,
            lambda row, column=column, limit=limit: {"length": len(str(row[column])), "max": limit},
        )
        for column, limit in STORED_LENGTHS.get(kind, {}).items()
        if column in present
    ]
