"""What post-training evaluation reads and writes: instruments, answers, expected respondents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_new, insert_or_ignore
from diklat.domain.evaluation import ResponseContext
from diklat.store.cohorts import CohortConflict, CohortRef
from diklat.store.waves import COURSE_WAVE
from schemas import tables as t
from schemas.instrument import Instrument


def ensure_instrument(session: Session, instrument: Instrument) -> int:
    """Store an instrument version once; the same version with another body is refused."""
    body = instrument.model_dump(mode="json")
    if not body.get("questions"):  # versions published before form mappings existed keep their fingerprint
        body.pop("questions", None)
    sha = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    row = session.scalar(select(t.SurveyInstrument).filter_by(code=instrument.code, version=instrument.version))
    if row is None:
        row = t.SurveyInstrument(code=instrument.code, version=instrument.version, body={**body, "sha256": sha})
        session.add(row)
        session.flush()
    elif row.body.get("sha256") != sha:
        raise CohortConflict("template.changed", key=f"{instrument.code}@{instrument.version}")
    return row.id


def instrument_of(row: t.SurveyInstrument) -> Instrument:
    """The instrument version as stored (its body, without the fingerprint)."""
    return Instrument.model_validate({k: v for k, v in row.body.items() if k != "sha256"})


def pinned_instruments(session: Session, cohort_ids: Sequence[int]) -> dict[tuple[int, str], Instrument]:
    """(cohort id, wave) -> the instrument version that wave runs with, for the waves already pinned."""
    if not cohort_ids:
        return {}
    rows = session.execute(
        select(t.SurveyWaveInstrument.cohort_id, t.SurveyWaveInstrument.wave, t.SurveyInstrument)
        .join(t.SurveyInstrument, t.SurveyInstrument.id == t.SurveyWaveInstrument.instrument_id)
        .where(t.SurveyWaveInstrument.cohort_id.in_(list(cohort_ids)))
    ).all()
    return {(cohort_id, wave): instrument_of(row) for cohort_id, wave, row in rows}


def pin_waves(session: Session, cohort_id: int, waves: Iterable[str], instrument: Instrument) -> dict[str, int]:
    """Pin each of these waves to ``instrument`` unless already pinned; wave -> the instrument id it runs with."""
    candidate = ensure_instrument(session, instrument)
    for wave in sorted(set(waves)):
        insert_or_ignore(
            session,
            t.SurveyWaveInstrument.__table__,
            {"cohort_id": cohort_id, "wave": wave, "instrument_id": candidate},
            ["cohort_id", "wave"],
        )
    return dict(
        session.execute(
            select(t.SurveyWaveInstrument.wave, t.SurveyWaveInstrument.instrument_id).where(
                t.SurveyWaveInstrument.cohort_id == cohort_id
            )
        ).all()
    )


def instrument_ids(session: Session) -> dict[str, int]:
    """Instrument key (CODE@VERSION) -> its id, for every version stored."""
    rows = session.execute(select(t.SurveyInstrument.code, t.SurveyInstrument.version, t.SurveyInstrument.id)).all()
    return {f"{code}@{version}": i for code, version, i in rows}


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
    pinned = {wave: inst for (_, wave), inst in pinned_instruments(session, [cohort.cohort_id]).items()}
    return ResponseContext(frozenset(nips), waves, superiors, evaluation.likert_max, pinned)


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


def cohort_facts(session: Session, cohort_ids: Sequence[int]) -> dict[int, tuple[date, date, int, int]]:
    """Per cohort: start, end, participants enrolled, graduates (status lulus). Counts only."""
    enrolled = func.count(t.Enrolment.id)
    graduates = func.count(t.Result.id).filter(t.Result.status == "lulus")
    stmt = (
        select(t.Cohort.id, t.Cohort.start_date, t.Cohort.end_date, enrolled, graduates)
        .join(t.Enrolment, t.Enrolment.cohort_id == t.Cohort.id, isouter=True)
        .join(t.Result, t.Result.enrolment_id == t.Enrolment.id, isouter=True)
        .where(t.Cohort.id.in_(list(cohort_ids)))
        .group_by(t.Cohort.id, t.Cohort.start_date, t.Cohort.end_date)
        .order_by(t.Cohort.id)
    )
    return {cid: (start, end, int(n), int(g)) for cid, start, end, n, g in session.execute(stmt)}


def follow_up_people(session: Session, pairs: Iterable[tuple[int, str]]) -> pd.DataFrame:
    """Name, unit and direct superior (the mentor of record) of each (cohort id, alumnus NIP)."""
    pairs = list(dict.fromkeys(pairs))
    columns = ["cohort_id", "nip", "name", "unit", "superior_nip", "superior_name"]
    if not pairs:
        return pd.DataFrame(columns=columns)
    mentor = t.Assignment
    stmt = (
        select(
            t.Enrolment.cohort_id,
            t.Employee.nip,
            t.Employee.name,
            t.Employee.unit,
            mentor.person_nip,
            mentor.person_name,
        )
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .join(mentor, (mentor.enrolment_id == t.Enrolment.id) & (mentor.role == "mentor"), isouter=True)
        .where(tuple_(t.Enrolment.cohort_id, t.Enrolment.nip).in_(pairs))
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=columns)
    names = employee_names(session, frame["superior_nip"].dropna().unique())  # a mentor file may omit the name
    frame["superior_name"] = frame["superior_name"].fillna(frame["superior_nip"].map(names))
    return frame


def wave_instrument(session: Session, cohort_id: int, wave: str, current: Instrument) -> tuple[Instrument, int]:
    """The instrument version this cohort's wave runs with (pinned to ``current`` if it was not yet), and its id."""
    ids = pin_waves(session, cohort_id, [wave], current)
    row = session.get(t.SurveyInstrument, ids[wave])
    return instrument_of(row), row.id


def store_online_answers(session: Session, cohort_id: int, accepted: pd.DataFrame, instrument_id: int) -> int:
    """Answers given on the public page, as the same records an answers file makes; returns rows written.

    Insert-or-ignore on the answer's natural key: an answer of the same person already stored (from an
    uploaded file) is kept, so nothing is counted twice and an operator's correction is never undone.
    """
    rows = [
        {**rec, "cohort_id": cohort_id, "instrument_id": instrument_id, "batch_id": None}
        for rec in accepted[["alumnus_nip", "wave", "role", "respondent_key", "item", "answer"]].to_dict("records")
    ]
    keys = ["cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item"]
    return len(insert_new(session, t.SurveyAnswer.__table__, rows, keys))
