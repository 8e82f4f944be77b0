"""The 96-day calendar: classical sessions on working days only, milestones on working days."""

from __future__ import annotations

from datetime import date

import pytest

from diklat.domain.calendar import build_calendar, days_off_for, public_holidays, spread_jp
from diklat.templates import resolve_template

pytestmark = pytest.mark.unit

TEMPLATE = resolve_template("PKP@2019.1")


def _calendar(start: date, extra=()):  # noqa: ANN001, ANN202
    return build_calendar(TEMPLATE, start, days_off_for(TEMPLATE, start, extra))


def test_a_cohort_opening_14_july_2022_skips_17_august_and_weekends_for_classical_sessions() -> None:
    cal = _calendar(date(2022, 7, 14))
    days = [s.date for s in cal.sessions]
    assert date(2022, 8, 17) not in days
    assert all(d.weekday() < 5 for d in days)
    assert days[0] == date(2022, 7, 14)
    assert date(2022, 8, 16) in days and date(2022, 8, 18) in days


def test_classical_sessions_carry_all_290_jp_over_36_learning_days() -> None:
    cal = _calendar(date(2022, 7, 14))
    assert len(cal.sessions) == 36
    assert sum(s.jp for s in cal.sessions) == 290


def test_the_workplace_phase_lasts_60_calendar_days_between_the_classical_phases() -> None:
    cal = _calendar(date(2022, 7, 14))
    first, work, second = cal.phases
    assert (work.last_day - work.first_day).days + 1 == 60
    assert first.last_day < work.first_day and work.last_day < second.first_day
    assert cal.end_date == second.last_day == date(2022, 11, 1)


def test_a_milestone_that_falls_on_a_holiday_moves_to_the_previous_working_day() -> None:
    cal = _calendar(date(2022, 7, 14))
    seminar = next(m for m in cal.milestones if m.code == "seminar_rancangan")
    assert seminar.due_date == date(2022, 8, 16)  # the day before 18 Aug is 17 Aug, a holiday


def test_agency_days_off_are_skipped_too() -> None:
    cal = _calendar(date(2022, 7, 14), extra=[date(2022, 7, 15)])
    assert date(2022, 7, 15) not in [s.date for s in cal.sessions]


def test_a_weekend_start_begins_sessions_on_the_next_working_day() -> None:
    cal = _calendar(date(2022, 7, 16))
    assert cal.sessions[0].date == date(2022, 7, 18)


def test_holidays_come_from_the_maintained_library() -> None:
    days = public_holidays([2022])
    assert date(2022, 8, 17) in days and date(2022, 12, 25) in days


def test_jp_are_spread_evenly_with_the_remainder_on_the_first_days() -> None:
    assert spread_jp(90, 11) == [9, 9] + [8] * 9
    assert sum(spread_jp(200, 25)) == 200


def test_every_session_belongs_to_an_agenda_of_its_phase() -> None:
    cal = _calendar(date(2022, 7, 14))
    agendas = {a.code: a.phase for a in TEMPLATE.agendas}
    assert all(agendas[s.agenda] == s.phase for s in cal.sessions)
    assert cal.sessions[0].agenda == "orientasi"


def test_waves_are_dated_whole_months_after_closing_clamped_to_month_end() -> None:
    from diklat.domain.calendar import add_months

    assert add_months(date(2022, 11, 1), 3) == date(2023, 2, 1)
    assert add_months(date(2022, 8, 31), 6) == date(2023, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2022, 12, 7), 6) == date(2023, 6, 7)
