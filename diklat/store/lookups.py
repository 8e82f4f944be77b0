"""Small read-only look-ups for the CLI and the demo: programme names, deferred passes, graduates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas import tables as t


def programme_names(session: Session) -> list[str]:
    """Every programme recorded (the CLI's default when there is only one)."""
    return list(session.scalars(select(t.Programme.name)))


def deferred_nips(session: Session, programme: str, number: int) -> list[str]:
    """NIPs of a cohort's participants whose pass is deferred (lulus tertunda)."""
    return list(
        session.scalars(
            select(t.Enrolment.nip)
            .join(t.Result)
            .join(t.Cohort)
            .join(t.Programme)
            .where(t.Programme.name == programme, t.Cohort.number == number, t.Result.status == "lulus_tertunda")
        )
    )


def cohort_ends(session: Session, programme: str) -> list[tuple[int, int, date]]:
    """(cohort id, number, last day) of each cohort of a programme."""
    stmt = (
        select(t.Cohort.id, t.Cohort.number, t.Cohort.end_date)
        .join(t.Programme)
        .where(t.Programme.name == programme)
        .order_by(t.Cohort.number)
    )
    return [tuple(row) for row in session.execute(stmt)]


def graduate_mentors(session: Session, cohort_id: int) -> dict[str, str]:
    """NIP of each graduate (lulus) of a cohort -> NIP of their mentor."""
    stmt = (
        select(t.Enrolment.nip, t.Assignment.person_nip)
        .join(t.Result)
        .join(t.Assignment, (t.Assignment.enrolment_id == t.Enrolment.id) & (t.Assignment.role == "mentor"))
        .where(t.Enrolment.cohort_id == cohort_id, t.Result.status == "lulus")
    )
    return dict(session.execute(stmt).all())
