"""Coaches are spread evenly and deterministically."""

from __future__ import annotations

import pytest

from diklat.domain.guidance import assign_coaches

pytestmark = pytest.mark.unit


def test_participants_are_spread_evenly_over_coaches() -> None:
    plan = assign_coaches([f"p{i:02d}" for i in range(30)], ["a", "b", "c"], {}, 10)
    assert sorted(list(plan.values()).count(c) for c in "abc") == [10, 10, 10]


def test_existing_load_is_respected_and_full_coaches_skipped() -> None:
    plan = assign_coaches(["p1", "p2", "p3"], ["a", "b"], {"a": 10, "b": 8}, 10)
    assert plan == {"p1": "b", "p2": "b"}  # p3 waits: every coach is full


def test_the_same_inputs_give_the_same_assignment() -> None:
    args = (["x", "y", "z"], ["a", "b"], {"a": 1}, 5)
    assert assign_coaches(*args) == assign_coaches(*args) == {"x": "b", "y": "a", "z": "b"}


def test_a_mentors_contact_is_taken_from_the_first_row_that_gives_it_and_never_erased_by_an_empty_one():
    from diklat.domain.guidance import mentor_contacts

    contacts = mentor_contacts(
        ["A", "A", "B", None, "C"],
        [None, "Bu Ani", "Pak Budi", "x", None],
        ["ani@x.go.id", None, None, "y@x.go.id", None],
    )
    assert contacts == {"A": ("Bu Ani", "ani@x.go.id"), "B": ("Pak Budi", None)}
