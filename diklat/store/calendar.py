"""A cohort's sessions and milestones, written once; an operator's later moves are never overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import rows_in, upsert
from diklat.domain.calendar import Calendar, build_calendar, days_off_for
from diklat.store.cohorts import CohortRef
from schemas import tables as t


def write_calendar(session: Session, cohort: CohortRef) -> tuple[int, int, date]:
    """Lay out a cohort's calendar from its template and days off; returns sessions, milestones, end date."""
    return write_calendars(session, [cohort])[cohort.cohort_id]


def write_calendars(session: Session, cohorts: Sequence[CohortRef]) -> dict[int, tuple[int, int, date]]:
    """``write_calendar`` for many cohorts in a fixed number of statements (cohort id -> figures)."""
    ids = [c.cohort_id for c in cohorts]
    calendars = cohort_calendars(session, cohorts)
    save_calendars(session, calendars)
    totals = {
        table: dict(
            rows_in(
                session,
                select(table.cohort_id, func.count()).group_by(table.cohort_id),
                table.cohort_id,
                ids,
            )
        )
        for table in (t.Session, t.Milestone)
    }
    return {i: (totals[t.Session].get(i, 0), totals[t.Milestone].get(i, 0), calendars[i].end_date) for i in ids}


def cohort_calendars(session: Session, cohorts: Sequence[CohortRef]) -> dict[int, Calendar]:
    """Each cohort's calendar as its template, start day and declared days off lay it out.

    Cohorts of one intake share templates, start days and days off: each calendar is laid out once.
    """
    extra = dict(
        rows_in(session, select(t.Cohort.id, t.Cohort.extra_days_off), t.Cohort.id, [c.cohort_id for c in cohorts])
    )
    built: dict[tuple, Calendar] = {}
    out = {}
    for cohort in cohorts:
        days = tuple(sorted(extra[cohort.cohort_id] or ()))
        key = (cohort.template.key, cohort.start_date, days)
        if key not in built:
            days_off = days_off_for(cohort.template, cohort.start_date, [date.fromisoformat(d) for d in days])
            built[key] = build_calendar(cohort.template, cohort.start_date, days_off)
        out[cohort.cohort_id] = built[key]
    return out


def save_calendar(session: Session, cohort_id: int, calendar: Calendar) -> tuple[int, int]:
    """Insert missing sessions and milestones (ON CONFLICT DO NOTHING); returns the totals."""
    save_calendars(session, {cohort_id: calendar})
    count = lambda table: session.scalar(  # noqa: E731
        select(func.count()).select_from(table).where(table.cohort_id == cohort_id)
    )
    return count(t.Session), count(t.Milestone)


def save_calendars(session: Session, calendars: dict[int, Calendar]) -> None:
    """Insert the missing sessions and milestones of many cohorts, two statements in all."""
    upsert(
        session,
        t.Session.__table__,
        [
            {"cohort_id": cid, "code": s.code, "date": s.date, "phase": s.phase, "agenda": s.agenda, "jp": s.jp}
            for cid, calendar in calendars.items()
            for s in calendar.sessions
        ],
        ["cohort_id", "code"],
    )
    upsert(
        session,
        t.Milestone.__table__,
        [
            {
                "cohort_id": cid,
                "code": m.code,
                "kind": m.kind,
                "title": m.title,
                "phase": m.phase,
                "due_date": m.due_date,
                "original_due_date": m.due_date,
                "required": m.required,
                "rule": m.rule,
            }
            for cid, calendar in calendars.items()
            for m in calendar.milestones
        ],
        ["cohort_id", "code"],
    )
