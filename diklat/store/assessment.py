"""The cohorts of a final assessment: which are recorded, who is assessed, what counts, closing them."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.db.bulk import rows_in
from diklat.db.frames import read_frame_in
from diklat.store.audit import audit_many
from diklat.store.cohorts import CohortRef
from schemas import tables as t
from schemas.template import Template

PEOPLE_COLUMNS = [
    "cohort_id",
    "enrolment_id",
    "nip",
    "status",
    "name",
    "golongan",
    "position",
    "unit",
    "deferral_cleared_on",
]
MILESTONE_COLUMNS = ["milestone_id", "code", "milestone_kind", "required"]


def find_cohorts(session: Session, programme: str, numbers: Sequence[int]) -> dict[int, CohortRef]:
    """The recorded cohorts of a programme among ``numbers`` (number -> ref); each template parsed once."""
    stmt = (
        select(t.Cohort.id, t.Cohort.number, t.Cohort.start_date, t.Cohort.end_date, t.Cohort.template_id)
        .join(t.Programme)
        .where(t.Programme.name == programme)
    )
    found = rows_in(session, stmt, t.Cohort.number, numbers)
    templates = {
        tpl.id: Template.model_validate(tpl.body)
        for (tpl,) in rows_in(
            session, select(t.ProgrammeTemplate), t.ProgrammeTemplate.id, sorted({r.template_id for r in found})
        )
    }
    return {
        r.number: CohortRef(r.id, programme, r.number, r.start_date, r.end_date, templates[r.template_id])
        for r in found
    }


def participants(session: Session, cohort_id: int) -> pd.DataFrame:
    """``participants_many`` of one cohort, without its cohort column."""
    return participants_many(session, [cohort_id]).drop(columns=["cohort_id"])


def participants_many(session: Session, cohort_ids: Sequence[int]) -> pd.DataFrame:
    """Participants of these cohorts (withdrawn ones too), by cohort and seat."""
    stmt = (
        select(
            t.Enrolment.cohort_id,
            t.Enrolment.id,
            t.Enrolment.nip,
            t.Enrolment.status,
            t.Employee.name,
            t.Employee.golongan,
            t.Employee.position,
            t.Employee.unit,
            t.Result.deferral_cleared_on,
        )
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .outerjoin(t.Result, t.Result.enrolment_id == t.Enrolment.id)
        .order_by(t.Enrolment.cohort_id, t.Enrolment.seat)
    )
    # Straight into a frame (no Row object per participant): 100,000 of them at a national graduation.
    frame = read_frame_in(session, stmt, t.Enrolment.cohort_id, cohort_ids, PEOPLE_COLUMNS)
    order = {cid: i for i, cid in enumerate(cohort_ids)}  # the caller's order of cohorts, seats within
    return frame.sort_values("cohort_id", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


def milestones_many(session: Session, cohort_ids: Sequence[int]) -> pd.DataFrame:
    """Every milestone of these cohorts: id, code, kind and whether it is required (for the standing rule)."""
    stmt = select(t.Milestone.id, t.Milestone.code, t.Milestone.kind, t.Milestone.required)
    return pd.DataFrame(rows_in(session, stmt, t.Milestone.cohort_id, cohort_ids), columns=MILESTONE_COLUMNS)


def close_cohorts(session: Session, cohort_ids: Sequence[int], actor: str) -> list[int]:
    """Close these cohorts (audited); those already closed are left alone. Returns the ids closed now."""
    stmt = select(t.Cohort).where(t.Cohort.status != "closed")
    cohorts = [c for (c,) in rows_in(session, stmt, t.Cohort.id, cohort_ids)]
    if not cohorts:
        return []
    names = dict(session.execute(select(t.Programme.id, t.Programme.name)).all())
    for cohort in cohorts:
        cohort.status = "closed"
    session.flush()
    audit_many(
        session,
        [
            {
                "actor": actor,
                "action": "close",
                "entity": "cohort",
                "entity_key": f"{names[c.programme_id]} / Angkatan {c.number}",
                "old_value": {"status": "open"},
                "new_value": {"status": "closed"},
                "source": None,
            }
            for c in cohorts
        ],
    )
    return [c.id for c in cohorts]
