"""Who the milestone check writes to about a participant, and how many left each cohort."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas import tables as t


def guide_contacts(session: Session, cohort_ids: list[int]) -> pd.DataFrame:
    """Name, coach e-mail and mentor e-mail per enrolment (the people told must know whom to help)."""
    coach = select(t.Assignment.enrolment_id, t.Assignment.email).where(t.Assignment.role == "coach").subquery()
    mentor = (
        select(t.Assignment.enrolment_id, t.Employee.email)
        .join(t.Employee, t.Employee.nip == t.Assignment.person_nip, isouter=True)
        .where(t.Assignment.role == "mentor")
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


def withdrawn_counts(session: Session, cohort_ids: list[int]) -> dict[int, int]:
    """Cohort id -> participants withdrawn (cohorts nobody left are absent)."""
    return dict(
        session.execute(
            select(t.Enrolment.cohort_id, func.count())
            .where(t.Enrolment.cohort_id.in_(cohort_ids), t.Enrolment.status == "withdrawn")
            .group_by(t.Enrolment.cohort_id)
        ).all()
    )
