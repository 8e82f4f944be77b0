"""Naming a participant in a run's parameters without their NIP: by seat or by masked NIP."""

from __future__ import annotations

import pytest

from diklat.domain.participants import matching_seats

pytestmark = pytest.mark.unit

COHORT = {1: "198001012005011001", 2: "198503152010012002", 3: "198001022006021001"}


@pytest.mark.parametrize(
    ("reference", "seats"),
    [
        ("2", [2]),
        (" 3 ", [3]),
        ("4", []),  # no such seat
        ("198503**********02", [2]),
        ("198001**********01", [1, 3]),  # two people share the mask: the operator must give the seat
        ("198001012005011001", []),  # a full NIP is not a reference
        ("Budi", []),
    ],
)
def test_a_reference_names_the_seats_it_can_mean(reference: str, seats: list[int]) -> None:
    assert matching_seats(reference, COHORT) == seats
