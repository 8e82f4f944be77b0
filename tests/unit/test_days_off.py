"""A day off declared after a cohort opened: what moves, what stays (pure rule, no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.days_off import reschedule
from diklat.templates import resolve_template
from schemas.template import Template

pytestmark = pytest.mark.unit

TEMPLATE = resolve_template("PKP")
START = date(2022, 7, 14)
DAYS_OFF = days_off_for(TEMPLATE, START)
CALENDAR = build_calendar(TEMPLATE, START, DAYS_OFF)
SESSIONS = {s.code: s.date for s in CALENDAR.sessions}
MILESTONES = {m.code: (m.due_date, m.due_date) for m in CALENDAR.milestones}


def declare(day: date, milestones: dict | None = None):  # noqa: ANN201
    return reschedule(TEMPLATE, START, DAYS_OFF, day, SESSIONS, milestones or MILESTONES, CALENDAR.end_date)


def test_classical_days_from_the_day_off_on_slide_one_working_day_and_everything_after_follows():
    tenth = CALENDAR.sessions[9]  # a weekday of the first classical phase
    change = declare(tenth.date)
    moved = [code for code, _ in change.sessions.items()]
    # nothing before the day off moves; every classical day from it on does (the second phase too)
    assert all(SESSIONS[c] < tenth.date for c in SESSIONS if c not in change.sessions)
    assert moved[0] == tenth.code and len(moved) == len(SESSIONS) - 9
    old, new = change.sessions[tenth.code]
    assert old == tenth.date and new > old and new.weekday() < 5
    assert change.end_date[1] > change.end_date[0]
    assert change.first_moved == tenth.date
    assert all(m.due[1] >= m.due[0] for m in change.milestones) and change.milestones


def test_a_due_date_an_operator_moved_keeps_its_date_while_the_calendar_date_moves():
    code, (due, _) = next(iter(MILESTONES.items()))
    operator_date = due + timedelta(days=3)
    milestones = {**MILESTONES, code: (operator_date, due)}
    change = declare(CALENDAR.sessions[0].date, milestones)
    kept = next(m for m in change.milestones if m.code == code)
    assert kept.due == (operator_date, operator_date)
    assert kept.calendar_due[0] == due and kept.calendar_due[1] != due


def test_a_weekend_or_a_day_after_the_last_day_moves_nothing():
    saturday = next(START + timedelta(days=i) for i in range(7) if (START + timedelta(days=i)).weekday() == 5)
    assert not declare(saturday).changes_anything
    assert not declare(CALENDAR.end_date + timedelta(days=1)).changes_anything


def test_days_off_in_the_template_count_for_cohorts_opened_under_it():
    day = CALENDAR.sessions[4].date
    with_day = Template.model_validate({**TEMPLATE.model_dump(), "days_off": [day], "version": "2019.1-local"})
    calendar = build_calendar(with_day, START, days_off_for(with_day, START))
    assert day not in {s.date for s in calendar.sessions}
    assert calendar.end_date > CALENDAR.end_date
