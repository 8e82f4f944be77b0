"""Evaluation waves: which fall due, who is expected to answer, who must be reminded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.domain.calendar import add_months
from diklat.store.cohorts import cohort_ref
from schemas import tables as t

COURSE_WAVE = "course"


@dataclass(frozen=True)
class DueWave:
    cohort_id: int
    label: str
    wave: str
    due_date: date


def due_waves(session: Session, as_of: date, cohort_ids: list[int] | None = None) -> list[DueWave]:
    """Waves of closed cohorts whose date (closing day + the template's months) has come."""
    stmt = select(t.Cohort.id).where(t.Cohort.status == "closed")
    if cohort_ids:
        stmt = stmt.where(t.Cohort.id.in_(cohort_ids))
    out = []
    for cohort_id in session.scalars(stmt.order_by(t.Cohort.id)):
        ref = cohort_ref(session, cohort_id)
        for wave in ref.template.evaluation.waves:
            due = add_months(ref.end_date, wave.months_after_close)
            if due <= as_of:
                out.append(DueWave(cohort_id, ref.label, wave.code, due))
    return out


def expect_respondents(session: Session, wave: DueWave) -> int:
    """Graduates answer about themselves, their mentor about them, and a group of peers (idempotent)."""
    ref = cohort_ref(session, wave.cohort_id)
    rows = session.execute(
        select(t.Enrolment.nip, t.Assignment.person_nip)
        .join(t.Result, t.Result.enrolment_id == t.Enrolment.id)
        .outerjoin(t.Assignment, (t.Assignment.enrolment_id == t.Enrolment.id) & (t.Assignment.role == "mentor"))
        .where(t.Enrolment.cohort_id == wave.cohort_id, t.Result.status == "lulus")
    ).all()
    base = {"cohort_id": wave.cohort_id, "wave": wave.wave, "due_date": wave.due_date}
    expected = []
    for nip, mentor in rows:
        expected.append({**base, "alumnus_nip": nip, "role": "alumni", "respondent_nip": nip, "expected_count": 1})
        if mentor:
            expected.append(
                {**base, "alumnus_nip": nip, "role": "atasan", "respondent_nip": mentor, "expected_count": 1}
            )
        expected.append(
            {
                **base,
                "alumnus_nip": nip,
                "role": "rekan",
                "respondent_nip": None,
                "expected_count": ref.template.evaluation.peer_min_group,
            }
        )
    upsert(session, t.SurveyExpected.__table__, expected, ["cohort_id", "wave", "alumnus_nip", "role"])
    return len(expected)


def missing_respondents(session: Session, wave: DueWave) -> pd.DataFrame:
    """Expected respondents who have not answered yet (peers: fewer than the group needs)."""
    answered = (
        select(
            t.SurveyAnswer.alumnus_nip,
            t.SurveyAnswer.role,
            func.count(func.distinct(t.SurveyAnswer.respondent_key)).label("answered"),
        )
        .where(t.SurveyAnswer.cohort_id == wave.cohort_id, t.SurveyAnswer.wave == wave.wave)
        .group_by(t.SurveyAnswer.alumnus_nip, t.SurveyAnswer.role)
        .subquery()
    )
    rows = session.execute(
        select(
            t.SurveyExpected.alumnus_nip,
            t.SurveyExpected.role,
            t.SurveyExpected.respondent_nip,
            t.SurveyExpected.expected_count,
            func.coalesce(answered.c.answered, 0),
        )
        .outerjoin(
            answered,
            (answered.c.alumnus_nip == t.SurveyExpected.alumnus_nip) & (answered.c.role == t.SurveyExpected.role),
        )
        .where(t.SurveyExpected.cohort_id == wave.cohort_id, t.SurveyExpected.wave == wave.wave)
    ).all()
    frame = pd.DataFrame(rows, columns=["alumnus_nip", "role", "respondent_nip", "expected", "answered"])
    return frame[frame["answered"] < frame["expected"]].reset_index(drop=True)


def expected_frame(session: Session, cohort_ids: list[int]) -> pd.DataFrame:
    """Every respondent expected for these cohorts' waves (peers: the group size)."""
    return pd.DataFrame(
        session.execute(
            select(
                t.SurveyExpected.cohort_id,
                t.SurveyExpected.wave,
                t.SurveyExpected.alumnus_nip,
                t.SurveyExpected.role,
                t.SurveyExpected.expected_count,
            ).where(t.SurveyExpected.cohort_id.in_(cohort_ids))
        ).all(),
        columns=["cohort_id", "wave", "alumnus_nip", "role", "expected_count"],
    )


def emails(session: Session, nips: list[str]) -> dict[str, str]:
    """The recorded e-mail address of these employees (those without one are left out)."""
    rows = session.execute(select(t.Employee.nip, t.Employee.email).where(t.Employee.nip.in_(nips))).all()
    return {nip: email for nip, email in rows if email}
