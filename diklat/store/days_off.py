"""An agency's own days off: recorded per programme, applied to the calendars of its running cohorts.

All in one transaction holding the cohorts: a declaration is applied to every affected cohort or to
none, and declared twice it changes nothing the second time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_or_ignore
from diklat.domain.calendar import days_off_for
from diklat.domain.days_off import CohortMoved, DayOffOutcome, Reschedule, reschedule
from diklat.store.audit import audit_many
from diklat.store.cohorts import CohortConflict, CohortRef, cohort_refs, hold_cohorts
from schemas import tables as t


def declare_day_off(
    session: Session, programme: str, day: date, reason: str, actor: str, flow_run_id: str | None = None
) -> DayOffOutcome:
    """Record ``day`` off for the programme and lay its running cohorts' calendars out again.

    Refused (CohortConflict) when a classical day that would move already has attendance recorded:
    a day that was held cannot be declared off afterwards.
    """
    prog = session.scalar(select(t.Programme).where(t.Programme.name == programme))
    if prog is None:
        raise CohortConflict("programme.unknown", program=programme)
    row = {"programme_id": prog.id, "day": day, "reason": reason, "declared_by": actor, "flow_run_id": flow_run_id}
    if not insert_or_ignore(session, t.DayOff.__table__, row, ["programme_id", "day"]):
        return DayOffOutcome(day, already=True)
    ids = session.scalars(
        select(t.Cohort.id).where(t.Cohort.programme_id == prog.id, t.Cohort.status == "open", t.Cohort.end_date >= day)
    ).all()
    hold_cohorts(session, ids)
    moved = []
    for cohort in sorted(cohort_refs(session, ids), key=lambda c: c.number):
        change = _reschedule(session, cohort, day)
        if change is None:
            continue
        _refuse_held_days(session, cohort, change)
        _apply(session, cohort, day, reason, change, actor)
        moved.append(
            CohortMoved(
                cohort.label,
                len(change.sessions),
                sum(m.due[0] != m.due[1] for m in change.milestones),
                *change.end_date,
            )
        )
    return DayOffOutcome(day, already=False, cohorts=tuple(moved))


def _reschedule(session: Session, cohort: CohortRef, day: date) -> Reschedule | None:
    extra = session.scalar(select(t.Cohort.extra_days_off).where(t.Cohort.id == cohort.cohort_id)) or []
    if day.isoformat() in extra:
        return None
    days_off = days_off_for(cohort.template, cohort.start_date, [date.fromisoformat(d) for d in extra])
    sessions = dict(
        session.execute(select(t.Session.code, t.Session.date).where(t.Session.cohort_id == cohort.cohort_id)).all()
    )
    milestones = {
        code: (due, calendar_due)
        for code, due, calendar_due in session.execute(
            select(t.Milestone.code, t.Milestone.due_date, t.Milestone.original_due_date).where(
                t.Milestone.cohort_id == cohort.cohort_id
            )
        )
    }
    return reschedule(cohort.template, cohort.start_date, days_off, day, sessions, milestones, cohort.end_date)


def _refuse_held_days(session: Session, cohort: CohortRef, change: Reschedule) -> None:
    if not change.sessions:
        return
    held = session.execute(
        select(t.Session.date)
        .join(t.Attendance, t.Attendance.session_id == t.Session.id)
        .where(t.Session.cohort_id == cohort.cohort_id, t.Session.code.in_(list(change.sessions)))
        .order_by(t.Session.date)
        .limit(1)
    ).scalar()
    if held is not None:
        raise CohortConflict("day_off.attendance_recorded", cohort=cohort.label, date=held.isoformat())


def _apply(session: Session, cohort: CohortRef, day: date, reason: str, change: Reschedule, actor: str) -> None:
    cid = cohort.cohort_id
    if change.sessions:
        session.connection().execute(  # Core: one executemany, not the ORM's update by primary key
            update(sessions := t.Session.__table__)
            .where(sessions.c.cohort_id == bindparam("c_id"), sessions.c.code == bindparam("c_code"))
            .values(date=bindparam("c_new")),
            [{"c_id": cid, "c_code": code, "c_new": new} for code, (_, new) in change.sessions.items()],
        )
    if change.milestones:
        session.connection().execute(
            update(milestones := t.Milestone.__table__)
            .where(milestones.c.cohort_id == bindparam("c_id"), milestones.c.code == bindparam("c_code"))
            .values(due_date=bindparam("c_due"), original_due_date=bindparam("c_calendar")),
            [
                {"c_id": cid, "c_code": m.code, "c_due": m.due[1], "c_calendar": m.calendar_due[1]}
                for m in change.milestones
            ],
        )
    extra = session.scalar(select(t.Cohort.extra_days_off).where(t.Cohort.id == cid)) or []
    session.execute(
        update(t.Cohort)
        .where(t.Cohort.id == cid)
        .values(end_date=change.end_date[1], extra_days_off=sorted({*extra, day.isoformat()}))
    )
    if change.changes_anything:
        session.add(
            t.CalendarNotice(
                cohort_id=cid,
                day=day,
                reason=reason,
                sessions_moved=len(change.sessions),
                milestones_moved=sum(m.due[0] != m.due[1] for m in change.milestones),
                old_end_date=change.end_date[0],
                new_end_date=change.end_date[1],
                first_moved=change.first_moved,
            )
        )
    audit_many(
        session,
        [
            {
                "actor": actor,
                "action": "day_off",
                "entity": "calendar",
                "entity_key": str(cid),
                "old_value": {
                    "sessions": {c: old.isoformat() for c, (old, _) in change.sessions.items()},
                    "milestones": {m.code: m.due[0].isoformat() for m in change.milestones},
                    "end_date": change.end_date[0].isoformat(),
                },
                "new_value": {
                    "day_off": day.isoformat(),
                    "reason": reason,
                    "sessions": {c: new.isoformat() for c, (_, new) in change.sessions.items()},
                    "milestones": {m.code: m.due[1].isoformat() for m in change.milestones},
                    "end_date": change.end_date[1].isoformat(),
                },
                "source": None,
            }
        ],
    )


def pending_notices(session: Session, cohort_ids: list[int]) -> list[t.CalendarNotice]:
    """Calendar changes not yet told to the cohorts' people, oldest first."""
    if not cohort_ids:
        return []
    return list(
        session.scalars(
            select(t.CalendarNotice)
            .where(t.CalendarNotice.cohort_id.in_(cohort_ids), t.CalendarNotice.announced_at.is_(None))
            .order_by(t.CalendarNotice.id)
        )
    )


def mark_announced(session: Session, notice_ids: list[int]) -> None:
    if notice_ids:
        session.execute(
            update(t.CalendarNotice)
            .where(t.CalendarNotice.id.in_(notice_ids))
            .values(announced_at=datetime.now(UTC).replace(tzinfo=None))
        )
