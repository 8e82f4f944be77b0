"""A cohort's sessions and milestones, written once; an operator's later moves are never overwritten."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.domain.calendar import Calendar, build_calendar, days_off_for
from diklat.store.cohorts import CohortRef
from schemas import tables as t


def write_calendar(session: Session, cohort: CohortRef) -> tuple[int, int, date]:
    """Lay out a cohort's calendar from its template and days off; returns sessions, milestones, end date."""
    extra = session.get(t.Cohort, cohort.cohort_id).extra_days_off
    days_off = days_off_for(cohort.template, cohort.start_date, [date.fromisoformat(d) for d in extra])
    calendar = build_calendar(cohort.template, cohort.start_date, days_off)
    sessions, milestones = save_calendar(session, cohort.cohort_id, calendar)
    return sessions, milestones, calendar.end_date


def save_calendar(session: Session, cohort_id: int, calendar: Calendar) -> tuple[int, int]:
    """Insert missing sessions and milestones (ON CONFLICT DO NOTHING); returns the totals."""
    upsert(
        session,
        t.Session.__table__,
        [
            {"cohort_id": cohort_id, "code": s.code, "date": s.date, "phase": s.phase, "agenda": s.agenda, "jp": s.jp}
            for s in calendar.sessions
        ],
        ["cohort_id", "code"],
    )
    upsert(
        session,
        t.Milestone.__table__,
        [
            {
                "cohort_id": cohort_id,
                "code": m.code,
                "kind": m.kind,
                "title": m.title,
                "phase": m.phase,
                "due_date": m.due_date,
                "original_due_date": m.due_date,
                "required": m.required,
                "rule": m.rule,
            }
            for m in calendar.milestones
        ],
        ["cohort_id", "code"],
    )
    count = lambda table: session.scalar(  # noqa: E731
        select(func.count()).select_from(table).where(table.cohort_id == cohort_id)
    )
    return count(t.Session), count(t.Milestone)
