"""A cohort's calendar from its template and start date (Perlan LAN 15/2019 phase sequence).

Classical phases count *learning days*: working days only, so weekends, public holidays and the
agency's own days off are skipped. The workplace phase counts calendar days. Milestones are dated
from their phase's first or last day plus an offset; a milestone that would fall on a day off moves
back to the previous working day (nobody can present a seminar on 17 August).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_data

from schemas.template import Template

DAY = timedelta(days=1)


@dataclass(frozen=True)
class PhaseSpan:
    code: str
    kind: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class SessionSlot:
    code: str
    date: date
    phase: str
    agenda: str
    jp: int


@dataclass(frozen=True)
class MilestoneSlot:
    code: str
    kind: str
    title: str
    phase: str
    due_date: date
    required: bool
    rule: dict


@dataclass(frozen=True)
class Calendar:
    start_date: date
    end_date: date
    phases: tuple[PhaseSpan, ...]
    sessions: tuple[SessionSlot, ...]
    milestones: tuple[MilestoneSlot, ...]

    def phase(self, code: str) -> PhaseSpan:
        return next(p for p in self.phases if p.code == code)


def public_holidays(years: Iterable[int], categories: Iterable[str] = ("public",)) -> set[date]:
    """Indonesian public holidays from the maintained `holidays` package (no hand-typed lists)."""
    return set(_holidays(tuple(years), tuple(categories)))


@lru_cache(maxsize=64)
def _holidays(years: tuple[int, ...], categories: tuple[str, ...]) -> frozenset[date]:
    # Computing a year's holidays takes ~3 ms; a national batch asks for the same years thousands of times.
    return frozenset(holiday_data.Indonesia(years=list(years), categories=categories).keys())


def days_off_for(template: Template, start: date, extra: Iterable[date] = ()) -> set[date]:
    """Holidays for the years a cohort can span, plus the agency's own days off (its template's and declared)."""
    years = range(start.year, start.year + 2)
    return public_holidays(years, template.holiday_categories) | set(template.days_off) | set(extra)


def is_working_day(day: date, days_off: set[date]) -> bool:
    return day.weekday() < 5 and day not in days_off


def working_days_from(day: date, days_off: set[date]) -> Iterator[date]:
    """Working days from ``day`` on (inclusive)."""
    while True:
        if is_working_day(day, days_off):
            yield day
        day += DAY


def previous_working_day(day: date, days_off: set[date]) -> date:
    while not is_working_day(day, days_off):
        day -= DAY
    return day


def spread_jp(total: int, days: int) -> list[int]:
    """Split a phase's JP over its days as evenly as whole JP allow, the first days taking the rest."""
    base, rest = divmod(total, days)
    return [base + (1 if i < rest else 0) for i in range(days)]


def build_calendar(template: Template, start: date, days_off: set[date]) -> Calendar:
    """Lay out phases, classical sessions and milestones for a cohort starting on ``start``."""
    spans: list[PhaseSpan] = []
    sessions: list[SessionSlot] = []
    cursor = start
    for phase in template.phases:
        if phase.kind == "classical":
            days_iter = working_days_from(cursor, days_off)
            days = [next(days_iter) for _ in range(phase.learning_days or 0)]
            agendas = _agenda_per_day(template, phase.code, spread_jp(phase.jp, len(days)))
            for i, (day, (agenda, jp)) in enumerate(zip(days, agendas, strict=True), start=1):
                sessions.append(SessionSlot(f"{phase.code}-{i:02d}", day, phase.code, agenda, jp))
            spans.append(PhaseSpan(phase.code, phase.kind, days[0], days[-1]))
        else:
            last = cursor + (phase.calendar_days or 0) * DAY - DAY
            spans.append(PhaseSpan(phase.code, phase.kind, cursor, last))
        cursor = spans[-1].last_day + DAY
    by_code = {s.code: s for s in spans}
    milestones = tuple(_milestone(m, by_code[m.phase], days_off) for m in template.milestones)
    return Calendar(start, spans[-1].last_day, tuple(spans), tuple(sessions), milestones)


def _agenda_per_day(template: Template, phase: str, jp_per_day: list[int]) -> list[tuple[str, int]]:
    """Label each day with the agenda taught at its midpoint, in template order."""
    bounds, running = [], 0
    for agenda in (a for a in template.agendas if a.phase == phase):
        running += agenda.jp
        bounds.append((running, agenda.code))
    out, elapsed = [], 0
    for jp in jp_per_day:
        midpoint = elapsed + jp / 2
        out.append((next(code for end, code in bounds if midpoint <= end), jp))
        elapsed += jp
    return out


def _milestone(spec, span: PhaseSpan, days_off: set[date]) -> MilestoneSlot:  # noqa: ANN001
    anchor = span.first_day if spec.anchor == "start" else span.last_day
    due = previous_working_day(anchor + spec.offset_days * DAY, days_off)
    rule = {"stage": spec.stage, "revision_days": spec.revision_days}
    return MilestoneSlot(spec.code, spec.kind, spec.title, spec.phase, due, spec.required, rule)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    import calendar as month_lengths

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, month_lengths.monthrange(year, month)[1]))
