"""Step 2: start dates whose classical phases do not clash on campus (one classroom each)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from diklat.domain.calendar import build_calendar, days_off_for, is_working_day
from schemas.planning import PlanningRules
from schemas.template import Template

DAY = timedelta(days=1)


def classical_spans(template: Template, start: date, days_off: set[date]) -> list[tuple[date, date]]:
    """First and last day of each classical phase of a cohort starting on ``start`` (what blocks the campus)."""
    calendar = build_calendar(template, start, days_off)
    return [(p.first_day, p.last_day) for p in calendar.phases if p.kind == "classical"]


def _clash(a: tuple[date, date], b: tuple[date, date], gap_days: int) -> bool:
    """True when fewer than ``gap_days`` free days separate the two spans (or they overlap)."""
    gap = gap_days * DAY
    return a[0] <= b[1] + gap and b[0] <= a[1] + gap


def cohorts_needed(backlog: int, rules: PlanningRules) -> int:
    """Cohorts to propose: enough seats for the whole backlog, at most what the agency can run a year."""
    return min(rules.cohorts_per_year, -(-backlog // rules.capacity)) if backlog else 0


def cohort_windows(
    template: Template,
    year: int,
    count: int,
    days_off: Iterable[date],
    avoid: Sequence[tuple[date, date]] = (),
    earliest: date | None = None,
    gap_days: int = 7,
) -> list[tuple[date, date]]:
    """Up to ``count`` cohorts as (start, end) in ``year``, earliest first, that all end by 31 December.

    ``days_off``: public holidays and the agency's days off of ``year`` and the next (e.g.
    ``days_off_for(template, date(year, 1, 1), extra)``). ``avoid``: the classical spans (first, last
    day) of cohorts already running or planned (``classical_spans``). A start is a working day on or
    after ``earliest`` (default 2 January) and its classical phases keep ``gap_days`` free days from
    every other classical phase (ASSUMPTION: one classroom). Greedy: the earliest start that fits is
    taken, then the next. Fewer than ``count`` come back when the year has no room for more; the
    caller reports the shortfall.
    """
    off = set(days_off)
    last = date(year, 12, 31)
    day = date(year, 1, 2) if earliest is None else max(earliest, date(year, 1, 1))
    blocked = [(a, b) for a, b in avoid]
    windows: list[tuple[date, date]] = []
    while day <= last and len(windows) < count:
        if is_working_day(day, off):
            calendar = build_calendar(template, day, off)
            if calendar.end_date > last:
                break  # a later start ends later still
            spans = [(p.first_day, p.last_day) for p in calendar.phases if p.kind == "classical"]
            if not any(_clash(span, other, gap_days) for span in spans for other in blocked):
                windows.append((day, calendar.end_date))
                blocked.extend(spans)
        day += DAY
    return windows


def start_dates(
    rules: PlanningRules,
    template: Template,
    needed: int,
    running: Sequence[tuple[Template, date]] = (),
    classrooms: int = 1,
    years: int = 5,
) -> list[date]:
    """``needed`` start dates from ``rules.year`` on, earliest first: the next year when the rooms are full.

    Each classroom holds one cohort's classical phases at a time (the workplace phase frees it);
    the cohorts already ``running`` (template, start) occupy the first room. At most ``years`` years
    are searched; fewer dates come back when they hold no more.
    """
    booked = [span for used, start in running for span in classical_spans(used, start, days_off_for(used, start))]
    rooms: list[list[tuple[date, date]]] = [list(booked)] + [[] for _ in range(classrooms - 1)]
    starts: list[date] = []
    year, earliest = rules.year, rules.earliest_start
    while len(starts) < needed and year < rules.year + years:
        days_off = days_off_for(template, date(year, 1, 1))
        for avoid in rooms:
            if len(starts) >= needed:
                break
            windows = cohort_windows(template, year, needed - len(starts), days_off, avoid, earliest, rules.gap_days)
            starts += [start for start, _ in windows]
            avoid += [span for start, _ in windows for span in classical_spans(template, start, days_off)]
        year, earliest = year + 1, None
    return sorted(starts)
