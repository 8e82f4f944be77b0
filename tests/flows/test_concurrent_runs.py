"""Two operators trigger runs for the same cohort at once: the cohort lock serialises them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from schemas import tables as t
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def test_concurrent_openings_of_one_cohort_enrol_everyone_once_with_distinct_seats(settings, tmp_path: Path) -> None:
    people = make_roster(24, seed=9).frame
    first = write_table(people.iloc[:16], tmp_path / "first.csv")  # rows 9-16 are in both files
    second = write_table(people.iloc[8:], tmp_path / "second.csv")
    with ThreadPoolExecutor(max_workers=2) as pool:
        states = list(pool.map(lambda path: open_cohort(open_params(path), return_state=True), [first, second]))
    assert all(state.is_completed() for state in states)
    with services().unit_of_work() as session:
        seats = session.scalars(select(t.Enrolment.seat)).all()
        batches = session.scalar(select(func.count()).select_from(t.IngestBatch))
    assert sorted(seats) == list(range(1, 25))  # 24 people, each once, seats 1..24
    assert batches == 2
