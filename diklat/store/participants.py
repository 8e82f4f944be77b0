"""Who the milestone check writes to about a participant, and how many left each cohort."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas import tables as t


def guide_contacts(session: Session, cohort_ids: list[int]) -> pd.DataFrame:
    """Name, coach e-mail and mentor e-mail per enrolment (the people told must know whom to help)."""
    # Each subquery only over these cohorts' enrolments: unrestricted, SQLite built it from every
    # assignment of every cohort, once per chunk of a national check.
    mine = t.Assignment.enrolment_id.in_(select(t.Enrolment.id).where(t.Enrolment.cohort_id.in_(cohort_ids)))
    coach = select(t.Assignment.enrolment_id, t.Assignment.email).where(mine, t.Assignment.role == "coach").subquery()
    # The roster's EMAIL ATASAN where given; else the mentor's own record if they were ever a participant.
    mentor = (
        select(t.Assignment.enrolment_id, func.coalesce(t.Assignment.email, t.Employee.email).label("email"))
        .join(t.Employee, t.Employee.nip == t.Assignment.person_nip, isouter=True)
        .where(mine, t.Assignment.role == "mentor")
        .subquery()
    )
    rows = session.execute(
        select(t.Enrolment.id, t.Employee.name, coach.c.email, mentor.c.email)
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .join(coach, coach.c.enrolment_id == t.Enrolment.id, isouter=True)
        .join(mentor, mentor.c.enrolment_id == t.Enrolment.id, isouter=True)
        .where(t.Enrolment.cohort_id.in_(cohort_ids))
    ).all()
    return pd.DataFrame(rows, columns=["enrolment_id", "name", "coach_email", "mentor_email"])


def people_to_tell(session: Session, cohort_ids: list[int]) -> dict[int, list[str]]:
    """Cohort id -> e-mail addresses of its active participants, their coaches and mentors (each once)."""
    out: dict[int, dict[str, None]] = {i: {} for i in cohort_ids}  # dicts: each address once, in order
    active: dict[int, int] = {}
    for enrolment_id, cohort_id, email in session.execute(
        select(t.Enrolment.id, t.Enrolment.cohort_id, t.Employee.email)
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .where(t.Enrolment.cohort_id.in_(cohort_ids), t.Enrolment.status == "active")
        .order_by(t.Enrolment.id)
    ).all():
        active[enrolment_id] = cohort_id
        if email:
            out[cohort_id][email] = None
    for row in guide_contacts(session, cohort_ids).itertuples(index=False):
        cohort_id = active.get(row.enrolment_id)
        if cohort_id is None:
            continue
        for address in (row.coach_email, row.mentor_email):
            if isinstance(address, str) and address:
                out[cohort_id][address] = None
    return {i: list(found) for i, found in out.items()}


def withdrawn_counts(session: Session, cohort_ids: list[int], as_of: date | None = None) -> dict[int, int]:
    """Cohort id -> participants withdrawn (by ``as_of`` when given; cohorts nobody left are absent)."""
    by = t.Enrolment.status == "withdrawn"
    if as_of is not None:
        by &= t.Enrolment.withdrawn_on.is_(None) | (t.Enrolment.withdrawn_on <= as_of)
    return dict(
        session.execute(
            select(t.Enrolment.cohort_id, func.count())
            .where(t.Enrolment.cohort_id.in_(cohort_ids), by)
            .group_by(t.Enrolment.cohort_id)
        ).all()
    )
