"""Operator decisions on a cohort: withdrawal, waiving a milestone, moving a due date. All audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_new
from diklat.domain.nip import mask_nip, normalize_nip
from diklat.domain.participants import matching_seats
from diklat.domain.progress import WAIVED
from diklat.store.audit import audit
from diklat.store.cohorts import CohortRef
from diklat.store.progress import HISTORY_KEY, latest_status_id
from schemas import tables as t


class ActionRefused(ValueError):
    """The decision cannot be recorded as asked (unknown participant or milestone)."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code, self.params = code, params


def participant_nip(session: Session, cohort: CohortRef, reference: str) -> str:
    """The NIP of the participant ``reference`` (seat number or masked NIP) names; refused if none or several."""
    nips_by_seat = dict(
        session.execute(
            select(t.Enrolment.seat, t.Enrolment.nip).where(t.Enrolment.cohort_id == cohort.cohort_id)
        ).all()
    )
    seats = matching_seats(reference, nips_by_seat)
    if not seats:
        raise ActionRefused("action.participant_unknown", value=reference, cohort=cohort.label)
    if len(seats) > 1:
        raise ActionRefused("action.participant_ambiguous", value=reference, seats=", ".join(map(str, seats)))
    return nips_by_seat[seats[0]]


def reference_for(session: Session, programme: str, number: int, nip: str) -> str:
    """What a run's parameters may carry for a full NIP typed at the shell: the seat, else the masked NIP.

    The CLI and the demo translate locally, so the NIP itself never reaches Prefect; a NIP that is not a
    participant (or a cohort that does not exist) becomes its mask, and the flow says so.
    """
    digits = normalize_nip(nip) or nip
    seat = session.scalar(
        select(t.Enrolment.seat)
        .join(t.Cohort)
        .join(t.Programme)
        .where(t.Programme.name == programme, t.Cohort.number == number, t.Enrolment.nip == digits)
    )
    return str(seat) if seat is not None else mask_nip(digits)


def enrolment_id(session: Session, cohort: CohortRef, nip: str) -> int:
    """The enrolment of this NIP in the cohort; refused if they are not a participant."""
    return _enrolment(session, cohort, nip).id


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
    waived = {"milestone_id": ms.id, "enrolment_id": row.id, "status": WAIVED, "as_of": on, "reason": reason}
    waived["follows_id"] = latest_status_id(session, ms.id, row.id, on)
    if not insert_new(session, t.MilestoneStatus.__table__, [waived], HISTORY_KEY):
        return False  # a concurrent decision wrote the same waiver first
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
