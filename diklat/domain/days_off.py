"""What a day off declared after a cohort opened does to its calendar.

The calendar is laid out again with the new day off: classical days from that day on slide to the
next working day, the phases after them start later, and milestones follow their phases. What an
operator decided stays decided: a due date moved by hand keeps its date (only the calendar date it
is measured against moves). Nothing before the day off changes, because the layout is the same
up to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from diklat.domain.calendar import Calendar, build_calendar
from schemas.template import Template


@dataclass(frozen=True)
class MovedMilestone:
    code: str
    due: tuple[date, date]  # (before, after); equal when an operator's own date is kept
    calendar_due: tuple[date, date]  # the calendar's date (``original_due_date``), before and after


@dataclass(frozen=True)
class Reschedule:
    """The changes one day off makes to one cohort (empty when the day falls outside its working days)."""

    sessions: dict[str, tuple[date, date]]  # session code -> (old date, new date)
    milestones: tuple[MovedMilestone, ...]
    end_date: tuple[date, date]
    calendar: Calendar

    @property
    def changes_anything(self) -> bool:
        return bool(self.sessions or self.milestones) or self.end_date[0] != self.end_date[1]

    @property
    def first_moved(self) -> date | None:
        moved = [old for old, _ in self.sessions.values()] + [m.due[0] for m in self.milestones if m.due[0] != m.due[1]]
        return min(moved, default=None)


def reschedule(
    template: Template,
    start: date,
    days_off: set[date],
    day: date,
    sessions: Mapping[str, date],
    milestones: Mapping[str, tuple[date, date]],
    end_date: date,
) -> Reschedule:
    """The cohort's calendar with ``day`` off too, against what is recorded.

    ``sessions``: code -> recorded date; ``milestones``: code -> (due date, calendar due date).
    """
    calendar = build_calendar(template, start, days_off | {day})
    moved_sessions = {
        s.code: (sessions[s.code], s.date)
        for s in calendar.sessions
        if s.code in sessions and sessions[s.code] != s.date
    }
    moved = []
    for slot in calendar.milestones:
        if slot.code not in milestones:
            continue
        due, calendar_due = milestones[slot.code]
        if calendar_due == slot.due_date:
            continue
        new_due = slot.due_date if due == calendar_due else due  # an operator's own date stays
        moved.append(MovedMilestone(slot.code, (due, new_due), (calendar_due, slot.due_date)))
    return Reschedule(moved_sessions, tuple(moved), (end_date, calendar.end_date), calendar)


@dataclass(frozen=True)
class CohortMoved:
    """What one cohort's calendar did (plain data for the run's summary and artifact)."""

    label: str
    sessions_moved: int
    milestones_moved: int
    old_end: date
    new_end: date


@dataclass(frozen=True)
class DayOffOutcome:
    day: date
    already: bool
    cohorts: tuple[CohortMoved, ...] = ()
