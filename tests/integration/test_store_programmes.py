"""Programmes on their own, on SQLite and PostgreSQL: one key per programme, concurrent first runs converge."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from diklat.db.engine import session_factory
from diklat.db.uow import unit_of_work
from diklat.store import cohorts
from diklat.templates import resolve_template
from schemas import tables as t
from schemas.params import OpenCohort

pytestmark = pytest.mark.integration

TEMPLATE = resolve_template("PKP")
START = date(2022, 7, 14)


def open_(sessions, programme: str, number: int = 1) -> cohorts.CohortRef:  # noqa: ANN001
    with unit_of_work(sessions) as session:
        return cohorts.ensure_cohort(session, programme, number, START, TEMPLATE, "test")


def count(sessions, table) -> int:  # noqa: ANN001
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(table))


def test_a_name_that_reduces_to_an_existing_programmes_key_is_refused_and_nothing_is_written(db_url: str):
    sessions = session_factory(db_url)
    open_(sessions, "PKP Kota 2022")
    with pytest.raises(cohorts.CohortConflict) as refused:
        open_(sessions, "pkp-kota-2022", number=2)
    assert refused.value.code == "programme.name_taken"
    assert refused.value.params == {"name": "pkp-kota-2022", "existing": "PKP Kota 2022"}
    assert count(sessions, t.Programme) == 1 and count(sessions, t.Cohort) == 1
    assert open_(sessions, "PKP Kota 2022", number=2).number == 2  # the exact name still works


def test_a_name_without_letters_or_digits_has_no_key_and_is_refused(db_url: str):
    sessions = session_factory(db_url)
    with pytest.raises(cohorts.CohortConflict) as refused:
        open_(sessions, " / ")
    assert refused.value.code == "programme.name_invalid"
    assert count(sessions, t.Programme) == 0
    with pytest.raises(ValidationError):
        OpenCohort(program="/", cohort=1, start=START, roster="x.csv")


def test_concurrent_first_runs_of_a_new_programme_converge_on_one_programme(db_url: str):
    sessions = session_factory(db_url)
    with ThreadPoolExecutor(8) as pool:
        refs = list(pool.map(lambda n: open_(sessions, "PKP Provinsi Jambi 2023", n), range(1, 9)))
    assert sorted(r.number for r in refs) == list(range(1, 9))
    assert count(sessions, t.Programme) == 1 and count(sessions, t.Cohort) == 8
    with unit_of_work(sessions) as session:
        created = session.scalar(
            select(func.count()).where(t.AuditLog.entity == "programme", t.AuditLog.action == "create")
        )
    assert created == 1


def test_concurrent_first_openings_of_the_same_cohort_converge_on_one_cohort(db_url: str):
    sessions = session_factory(db_url)
    with ThreadPoolExecutor(8) as pool:
        refs = list(pool.map(lambda _: open_(sessions, "PKP Provinsi Jambi 2023", 3), range(8)))
    assert len({r.cohort_id for r in refs}) == 1 and count(sessions, t.Cohort) == 1
    with unit_of_work(sessions) as session:
        opened = session.scalar(select(func.count()).where(t.AuditLog.entity == "cohort", t.AuditLog.action == "open"))
    assert opened == 1


def test_a_concurrent_opening_with_another_start_date_is_refused_not_a_database_error(db_url: str):
    from datetime import timedelta

    sessions = session_factory(db_url)

    def open_on(days: int):  # noqa: ANN202
        try:
            with unit_of_work(sessions) as session:
                return cohorts.ensure_cohort(session, "PKP X", 1, START + timedelta(days=days), TEMPLATE, "t")
        except cohorts.CohortConflict as conflict:
            return conflict.code

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(open_on, [0, 7] * 4))
    refused = [o for o in outcomes if o == "cohort.start_differs"]
    assert len(refused) == 4 and count(sessions, t.Cohort) == 1
