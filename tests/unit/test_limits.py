"""The gate's length rules are the database's: read from the tables, for every stored text column."""

from __future__ import annotations

import pytest

from diklat.gate.limits import length_checks
from schemas import tables as t
from schemas.limits import STORED_LENGTHS

pytestmark = pytest.mark.unit


def test_the_limits_are_the_declared_column_lengths() -> None:
    assert STORED_LENGTHS["roster"]["name"] == t.Employee.__table__.c.name.type.length == 200
    assert STORED_LENGTHS["guidance"]["topic"] == t.GuidanceLog.__table__.c.topic.type.length == 500
    assert STORED_LENGTHS["deliverables"]["notes"] == 1000


def test_only_the_columns_a_file_has_are_checked() -> None:
    checks = length_checks("roster", ["nip", "name", "unit"])
    assert [(c.column, c.code) for c in checks] == [("name", "value.too_long"), ("unit", "value.too_long")]
    assert length_checks("attendance", ["nip", "date"]) == []
