"""A database error leaves the unit of work naming the table and constraint, never the people in the rows."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from diklat.db.faults import DatabaseFault
from diklat.db.uow import unit_of_work
from diklat.store.errors import is_transient_db_error
from schemas import tables as t

NIP, NAME, EMAIL, PHONE = (
    "198805162012101001",
    "Dra. Siti Rahmawati, M.Si.",
    "siti.rahmawati@jambikota.go.id",
    "081234567890",
)
ROW = {"nip": NIP, "name": NAME, "email": EMAIL, "phone": PHONE}


def _leaks(text: str) -> list[str]:
    return [value for value in (NIP, NAME, "Siti", EMAIL, "rahmawati", PHONE) if value in text]


def test_a_duplicate_key_is_reported_without_the_row(sessions) -> None:
    with unit_of_work(sessions) as session:
        session.execute(insert(t.Employee), [ROW])
    with pytest.raises(DatabaseFault) as fault, unit_of_work(sessions) as session:
        session.execute(insert(t.Employee), [ROW])
    text = str(fault.value)
    assert "IntegrityError" in text and not _leaks(text)
    assert fault.value.__cause__ is None and fault.value.__suppress_context__  # the driver's text is gone
    assert is_transient_db_error(fault.value) is False  # the same row would fail again: no retry


def test_a_missing_value_is_reported_without_the_failing_row(sessions) -> None:
    """PostgreSQL's 'Failing row contains (...)' would quote the name, e-mail and phone."""
    with pytest.raises(DatabaseFault) as fault, unit_of_work(sessions) as session:
        session.execute(insert(t.Employee), [{**ROW, "name": None}])
    assert "IntegrityError" in str(fault.value) and not _leaks(str(fault.value))
    assert "employee" in str(fault.value)  # where it happened stays: staff can find the rule
