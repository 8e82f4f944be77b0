"""The CLI's and the demo's read-only look-ups, on SQLite and PostgreSQL, straight through the store."""

from __future__ import annotations

from datetime import date

import pytest

from diklat.bootstrap import services
from diklat.domain.names import slug
from diklat.store.lookups import cohort_ends, deferred_nips, graduate_mentors, programme_names
from schemas import tables as t

pytestmark = pytest.mark.integration

NIPS = ("198001012005011001", "198101012006012002", "198201012007011003")
MENTOR = "197001012000011009"


@pytest.fixture
def seeded(settings) -> None:
    """Two programmes with a cohort 1 each, of the same three officials: a pass, a deferred pass, a fail."""
    with services().unit_of_work() as session:
        template = t.ProgrammeTemplate(code="PKP", version="1", name="PKP", sha256="0" * 64, body={})
        session.add(template)
        for nip in (*NIPS, MENTOR):
            session.add(t.Employee(nip=nip, name=f"Pegawai {nip[-3:]}"))
        session.flush()
        for name, end in (("PKP A", date(2022, 10, 17)), ("PKP B", date(2022, 11, 1))):
            programme = t.Programme(name=name, key=slug(name), template_code="PKP")
            session.add(programme)
            session.flush()
            cohort = t.Cohort(
                programme_id=programme.id,
                number=1,
                template_id=template.id,
                start_date=date(2022, 7, 14),
                end_date=end,
                capacity=30,
            )
            session.add(cohort)
            session.flush()
            for seat, (nip, status) in enumerate(zip(NIPS, ("lulus", "lulus_tertunda", "tidak_lulus"), strict=True)):
                enrolment = t.Enrolment(cohort_id=cohort.id, nip=nip, seat=seat + 1)
                session.add(enrolment)
                session.flush()
                session.add(t.Result(enrolment_id=enrolment.id, status=status))
                session.add(t.Assignment(enrolment_id=enrolment.id, role="mentor", person_nip=MENTOR))
                session.add(t.Assignment(enrolment_id=enrolment.id, role="coach", person_nip=NIPS[2]))


def test_programme_names_lists_every_programme(seeded) -> None:
    with services().unit_of_work() as session:
        assert sorted(programme_names(session)) == ["PKP A", "PKP B"]


def test_deferred_passes_are_those_of_the_programme_asked_for(seeded) -> None:
    with services().unit_of_work() as session:
        assert deferred_nips(session, "PKP A", 1) == [NIPS[1]]
        assert deferred_nips(session, "PKP A", 2) == []


def test_graduates_come_with_their_mentor_and_cohorts_with_their_last_day(seeded) -> None:
    with services().unit_of_work() as session:
        [(cohort_id, number, end)] = cohort_ends(session, "PKP A")
        assert (number, end) == (1, date(2022, 10, 17))
        assert graduate_mentors(session, cohort_id) == {NIPS[0]: MENTOR}
