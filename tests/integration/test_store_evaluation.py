"""The evaluation and planning stores on SQLite and PostgreSQL directly: waves, respondents, reminders, reads."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from diklat.db.engine import session_factory
from diklat.db.uow import unit_of_work
from diklat.notify import Message
from diklat.store import notifications, waves
from diklat.store.cohorts import CohortConflict, ensure_cohort
from diklat.store.evaluation import (
    answers_frame,
    employee_names,
    ensure_instrument,
    evaluation_cohort_ids,
    response_context,
)
from diklat.store.planning import graduate_nips, running_cohorts
from diklat.templates import resolve_template
from schemas import tables as t
from schemas.instrument import default_instrument

pytestmark = pytest.mark.integration

TEMPLATE = resolve_template("PKP")
START = date(2022, 7, 14)
PROGRAMME = "PKP Uji"
# Three participants: A and B passed (A's superior is S), C did not; S has an address, the others none.
A, B, C, S = "198001012005011001", "198102022006012002", "198203032007011003", "197001011995031004"


def uow(db_url: str):  # noqa: ANN201
    return unit_of_work(session_factory(db_url))


@pytest.fixture
def cohort(db_url: str):  # noqa: ANN201
    """A closed cohort with its participants, results and one mentor, and a second cohort still open."""
    with uow(db_url) as s:
        ref = ensure_cohort(s, PROGRAMME, 1, START, TEMPLATE, "test")
        ensure_cohort(s, PROGRAMME, 2, date(2022, 9, 5), TEMPLATE, "test")
        for nip, name, email in ((A, "Ani", None), (B, "Budi", "budi@example.go.id"), (C, "Citra", None)):
            s.add(t.Employee(nip=nip, name=name, email=email))
        s.add(t.Employee(nip=S, name="Sari", email="sari@example.go.id"))
        s.flush()
        for seat, (nip, status) in enumerate(((A, "lulus"), (B, "lulus"), (C, "tidak_lulus")), start=1):
            enrolment = t.Enrolment(cohort_id=ref.cohort_id, nip=nip, seat=seat)
            s.add(enrolment)
            s.flush()
            s.add(t.Result(enrolment_id=enrolment.id, status=status, explanation={}))
            if nip == A:
                s.add(t.Assignment(enrolment_id=enrolment.id, role="mentor", person_nip=S))
        s.get(t.Cohort, ref.cohort_id).status = "closed"
    return ref


def _due(db_url: str, as_of: date) -> list[waves.DueWave]:
    with uow(db_url) as s:
        return waves.due_waves(s, as_of)


def test_a_wave_falls_due_months_after_the_cohort_closes(db_url: str, cohort) -> None:  # noqa: ANN001
    assert cohort.end_date == date(2022, 11, 1)  # the PKP calendar from 14 July 2022
    assert _due(db_url, date(2023, 1, 31)) == []
    assert _due(db_url, date(2023, 2, 1)) == [waves.DueWave(cohort.cohort_id, cohort.label, "3m", date(2023, 2, 1))]
    assert [(w.wave, w.due_date) for w in _due(db_url, date(2030, 1, 1))] == [
        ("3m", date(2023, 2, 1)),
        ("6m", date(2023, 5, 1)),
    ]  # only the closed cohort


def test_a_wave_is_opened_once_graduates_their_superior_and_a_peer_group_are_expected(db_url: str, cohort) -> None:  # noqa: ANN001
    [due, _] = _due(db_url, date(2030, 1, 1))
    with uow(db_url) as s:
        first = waves.expect_respondents(s, due)
    with uow(db_url) as s:
        again = waves.expect_respondents(s, due)
        rows = s.scalar(select(func.count()).select_from(t.SurveyExpected))
        expected = waves.expected_frame(s, [cohort.cohort_id])
    # A: self, superior, peers; B: self and peers (no mentor recorded); C did not pass.
    assert first == again == rows == 5
    assert sorted(zip(expected["alumnus_nip"], expected["role"], expected["expected_count"], strict=True)) == [
        (A, "alumni", 1),
        (A, "atasan", 1),
        (A, "rekan", 3),
        (B, "alumni", 1),
        (B, "rekan", 3),
    ]


def test_who_has_answered_leaves_the_missing_list_and_peers_count_once_each(db_url: str, cohort) -> None:  # noqa: ANN001
    [due, _] = _due(db_url, date(2030, 1, 1))
    with uow(db_url) as s:
        waves.expect_respondents(s, due)
        instrument_id = ensure_instrument(s, default_instrument())
        answers = [(A, "alumni", A), (A, "atasan", S)] + [(A, "rekan", f"peer-{i}") for i in (1, 2, 3, 3)]
        for item in ("l4_impact_1", "l4_impact_2"):
            for alumnus, role, key in answers[:-1]:
                s.add(
                    t.SurveyAnswer(
                        cohort_id=cohort.cohort_id,
                        wave="3m",
                        alumnus_nip=alumnus,
                        role=role,
                        respondent_key=key,
                        item=item,
                        answer="4",
                        instrument_id=instrument_id,
                    )
                )
        s.add(
            t.SurveyAnswer(
                cohort_id=cohort.cohort_id,
                wave="3m",
                alumnus_nip=B,
                role="rekan",
                respondent_key="peer-9",
                item="l4_impact_1",
                answer="4",
                instrument_id=instrument_id,
            )
        )
    with uow(db_url) as s:
        missing = waves.missing_respondents(s, due)
        frame = answers_frame(s, [cohort.cohort_id])
    # A is complete (three distinct peers); B has answered nothing himself and has one peer of three.
    assert sorted(zip(missing["alumnus_nip"], missing["role"], missing["answered"], strict=True)) == [
        (B, "alumni", 0),
        (B, "rekan", 1),
    ]
    assert len(frame) == 2 * 5 + 1
    assert list(frame.columns) == ["cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item", "answer"]


def test_an_instrument_version_is_stored_once_and_never_with_another_body(db_url: str, cohort) -> None:  # noqa: ANN001
    instrument = default_instrument()
    with uow(db_url) as s:
        first = ensure_instrument(s, instrument)
    with uow(db_url) as s:
        assert ensure_instrument(s, instrument) == first
        assert s.scalar(select(func.count()).select_from(t.SurveyInstrument)) == 1
    changed = instrument.model_copy(update={"name": instrument.name + " (revisi)"})
    with pytest.raises(CohortConflict), uow(db_url) as s:
        ensure_instrument(s, changed)


def test_reminders_are_recorded_once_per_key(db_url: str, cohort) -> None:  # noqa: ANN001
    reminder = Message("wave-reminder:1:3m:x:2030-01-01:log", "log", "x", "subject", "body")
    for _ in range(2):
        with uow(db_url) as s:
            notifications.plan(s, [reminder])
    with uow(db_url) as s:
        assert s.scalar(select(func.count()).select_from(t.Notification)) == 1


def test_the_answers_context_names_participants_waves_and_superiors(db_url: str, cohort) -> None:  # noqa: ANN001
    with uow(db_url) as s:
        ctx = response_context(s, cohort)
    assert ctx.alumni == {A, B, C}
    assert ctx.waves == {"course", "3m", "6m"}
    assert dict(ctx.superiors) == {A: S}
    assert ctx.likert_max == TEMPLATE.evaluation.likert_max


def test_closed_cohorts_are_evaluated_unless_one_is_named(db_url: str, cohort) -> None:  # noqa: ANN001
    with uow(db_url) as s:
        assert evaluation_cohort_ids(s, None, None) == [cohort.cohort_id]
        assert evaluation_cohort_ids(s, PROGRAMME, None) == [cohort.cohort_id]
        assert evaluation_cohort_ids(s, "Another programme", None) == []
        [second] = evaluation_cohort_ids(s, PROGRAMME, 2)  # named: evaluated even while open
        assert second != cohort.cohort_id


def test_names_and_addresses_of_employees(db_url: str, cohort) -> None:  # noqa: ANN001
    with uow(db_url) as s:
        assert employee_names(s, [A, B, "199001012015011001"]) == {A: "Ani", B: "Budi"}
        assert waves.emails(s, [A, B, S]) == {B: "budi@example.go.id", S: "sari@example.go.id"}


def test_planning_reads_diklats_own_graduates_and_the_cohorts_still_running(db_url: str, cohort) -> None:  # noqa: ANN001
    with uow(db_url) as s:
        assert graduate_nips(s) == {A, B}
        running = running_cohorts(s)
    assert [(template.key, start) for template, start in running] == [(TEMPLATE.key, date(2022, 9, 5))]
