"""Fixtures shared by the flow tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from schemas import tables as t
from tests.helpers import open_params

START = date(2022, 7, 14)


@pytest.fixture
def alumni(settings, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """A closed cohort of 12 graduates (results recorded directly: grading is tested elsewhere)."""
    synth = make_roster(12, seed=71, today=START)
    open_cohort(open_params(write_table(synth.frame, tmp_path / "roster.csv")), return_state=True)
    with services().unit_of_work() as session:
        for enrolment in session.scalars(select(t.Enrolment)):
            session.add(t.Result(enrolment_id=enrolment.id, status="lulus", explanation={}))
        session.get(t.Cohort, 1).status = "closed"
        superiors = dict(
            session.execute(
                select(t.Enrolment.nip, t.Assignment.person_nip).join(t.Assignment).where(t.Assignment.role == "mentor")
            ).all()
        )
    return [p.nip for p in synth.people], superiors
