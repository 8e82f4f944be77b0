"""What post-training evaluation reads and writes: instruments, answers, expected respondents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.domain.evaluation import ResponseContext
from diklat.store.cohorts import CohortConflict, CohortRef
from diklat.store.waves import COURSE_WAVE
from schemas import tables as t
from schemas.instrument import Instrument


def ensure_instrument(session: Session, instrument: Instrument) -> int:
    """Store an instrument version once; the same version with another body is refused."""
    body = instrument.model_dump(mode="json")
    sha = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    row = session.scalar(select(t.SurveyInstrument).filter_by(code=instrument.code, version=instrument.version))
    if row is None:
        row = t.SurveyInstrument(code=instrument.code, version=instrument.version, body={**body, "sha256": sha})
        session.add(row)
        session.flush()
    elif row.body.get("sha256") != sha:
        raise CohortConflict("template.changed", key=f"{instrument.code}@{instrument.version}")
    return row.id


def response_context(session: Session, cohort: CohortRef) -> ResponseContext:
    """Participants of the cohort (L1/L2 come in while it runs), its waves, and each one's superior."""
    nips = session.scalars(select(t.Enrolment.nip).where(t.Enrolment.cohort_id == cohort.cohort_id))
    superiors = dict(
        session.execute(
            select(t.Enrolment.nip, t.Assignment.person_nip)
            .join(t.Assignment)
            .where(t.Enrolment.cohort_id == cohort.cohort_id, t.Assignment.role == "mentor")
        ).all()
    )
    evaluation = cohort.template.evaluation
    waves = frozenset({COURSE_WAVE, *(w.code for w in evaluation.waves)})
    return ResponseContext(frozenset(nips), waves, superiors, evaluation.likert_max)


def answers_frame(session: Session, cohort_ids: list[int]) -> pd.DataFrame:
    """Every accepted answer of these cohorts, as ``diklat.domain.evaluation.summarise`` reads them."""
    return pd.DataFrame(
        session.execute(
            select(
                t.SurveyAnswer.cohort_id,
                t.SurveyAnswer.wave,
                t.SurveyAnswer.alumnus_nip,
                t.SurveyAnswer.role,
                t.SurveyAnswer.respondent_key,
                t.SurveyAnswer.item,
                t.SurveyAnswer.answer,
            ).where(t.SurveyAnswer.cohort_id.in_(cohort_ids))
        ).all(),
        columns=["cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item", "answer"],
    )


def evaluation_cohort_ids(session: Session, program: str | None, number: int | None) -> list[int]:
    """Cohorts whose evaluation is reported: closed ones, or the one asked for (by programme and number)."""
    stmt = select(t.Cohort.id).join(t.Programme)
    if program:
        stmt = stmt.where(t.Programme.name == program)
    if number:
        stmt = stmt.where(t.Cohort.number == number)
    else:
        stmt = stmt.where(t.Cohort.status == "closed")
    return list(session.scalars(stmt.order_by(t.Cohort.id)))


def employee_names(session: Session, nips: Iterable[str]) -> dict[str, str]:
    """Names of these employees (the operator follows alumni up by name)."""
    return dict(session.execute(select(t.Employee.nip, t.Employee.name).where(t.Employee.nip.in_(list(nips)))).all())
