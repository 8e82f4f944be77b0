"""Operator decisions on a cohort: withdrawal, waiving a milestone, moving a due date. All audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.domain.nip import normalize_nip
from diklat.domain.progress import WAIVED
from diklat.store.audit import audit
from diklat.store.cohorts import CohortRef
from schemas import tables as t


class ActionRefused(ValueError):
    """The decision cannot be recorded as asked (unknown participant or milestone)."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code, self.params = code, params


def _enrolment(session: Session, cohort: CohortRef, nip: str) -> t.Enrolment:
    digits = normalize_nip(nip) or nip
    row = session.scalar(select(t.Enrolment).filter_by(cohort_id=cohort.cohort_id, nip=digits))
    if row is None:
        raise ActionRefused("action.not_participant", cohort=cohort.label)
    return row


def _milestone(session: Session, cohort: CohortRef, code: str) -> t.Milestone:
    row = session.scalar(select(t.Milestone).filter_by(cohort_id=cohort.cohort_id, code=code))
    if row is None:
        known = ", ".join(session.scalars(select(t.Milestone.code).filter_by(cohort_id=cohort.cohort_id)))
        raise ActionRefused("action.unknown_milestone", value=code, known=known)
    return row


def withdraw(session: Session, cohort: CohortRef, nip: str, on: date, reason: str, actor: str) -> bool:
    """Record *tidak dapat menyelesaikan*; checks stop for them. Returns False if already withdrawn."""
    row = _enrolment(session, cohort, nip)
    if row.status == "withdrawn":
        return False
    audit(
        session,
        actor,
        "withdraw",
        "enrolment",
        str(row.id),
        {"status": row.status},
        {"status": "withdrawn", "on": on.isoformat(), "reason": reason},
    )
    row.status, row.withdrawn_on, row.withdrawn_reason = "withdrawn", on, reason
    return True


def waive(session: Session, cohort: CohortRef, nip: str, milestone: str, on: date, reason: str, actor: str) -> bool:
    """An operator waives one milestone for one participant from ``on``; the check never overrides it."""
    row = _enrolment(session, cohort, nip)
    ms = _milestone(session, cohort, milestone)
    exists = session.scalar(
        select(t.MilestoneStatus.id).filter_by(milestone_id=ms.id, enrolment_id=row.id, status=WAIVED)
    )
    if exists:
        return False
    session.add(t.MilestoneStatus(milestone_id=ms.id, enrolment_id=row.id, status=WAIVED, as_of=on, reason=reason))
    audit(session, actor, "waive", "milestone", f"{ms.code}/{row.id}", None, {"on": on.isoformat(), "reason": reason})
    return True


def move_milestone(session: Session, cohort: CohortRef, milestone: str, to: date, reason: str, actor: str) -> bool:
    """Move one cohort's due date (e.g. a postponed seminar); the original date is kept."""
    ms = _milestone(session, cohort, milestone)
    if ms.due_date == to:
        return False
    if not cohort.start_date <= to <= cohort.end_date:
        raise ActionRefused(
            "action.date_outside",
            value=to.isoformat(),
            start=cohort.start_date.isoformat(),
            end=cohort.end_date.isoformat(),
        )
    audit(
        session,
        actor,
        "move",
        "milestone",
        f"{cohort.label}/{ms.code}",
        {"due_date": ms.due_date.isoformat()},
        {"due_date": to.isoformat(), "reason": reason},
    )
    ms.due_date = to
    return True
