"""declare-day-off on a Prefect test server: calendars move once, with history; refusals; the next check tells."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.synth.roster import coaches_frame, make_roster, write_table
from flows.check_milestones import check_milestones
from flows.days_off import declare_day_off
from flows.open_cohort import open_cohort
from schemas import tables as t
from schemas.params import CheckMilestones, DeclareDayOff
from tests.helpers import open_params, snapshot

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"
START = date(2022, 7, 14)


def _open(tmp_path: Path, number: int = 1, start: date = START) -> None:
    roster = write_table(make_roster(6, seed=number, today=start).frame, tmp_path / f"r{number}.csv")
    coaches = write_table(coaches_frame(1, seed=number), tmp_path / f"c{number}.csv")
    assert open_cohort(
        open_params(roster, cohort=number, start=start, coaches=str(coaches)), return_state=True
    ).is_completed()


def _calendar(number: int = 1) -> tuple[dict[str, date], dict[str, date], date]:
    with services().unit_of_work() as session:
        cohort = session.scalar(select(t.Cohort).where(t.Cohort.number == number))
        sessions = dict(
            session.execute(select(t.Session.code, t.Session.date).where(t.Session.cohort_id == cohort.id)).all()
        )
        due = dict(
            session.execute(
                select(t.Milestone.code, t.Milestone.due_date).where(t.Milestone.cohort_id == cohort.id)
            ).all()
        )
        return sessions, due, cohort.end_date


def _declare(day: date, reason: str = "SK Walikota 12/2022: libur daerah"):  # noqa: ANN202
    return declare_day_off(DeclareDayOff(program=PROGRAM, day=day, reason=reason), return_state=True)


def test_a_day_off_moves_the_running_cohorts_calendar_once_with_its_history(settings, tmp_path: Path) -> None:
    _open(tmp_path)
    sessions, due, end = _calendar()
    day = sorted(sessions.values())[10]

    state = _declare(day)
    assert state.is_completed()
    (moved,) = state.result().cohorts
    after_sessions, after_due, after_end = _calendar()
    assert day not in after_sessions.values()
    assert moved.sessions_moved == sum(sessions[c] != after_sessions[c] for c in sessions) == len(sessions) - 10
    assert all(after_sessions[c] == d for c, d in sessions.items() if d < day)  # nothing before it moves
    assert after_end > end and (moved.old_end, moved.new_end) == (end, after_end)
    assert moved.milestones_moved == sum(due[c] != after_due[c] for c in due) > 0
    with services().unit_of_work() as session:
        (history,) = session.scalars(select(t.AuditLog).where(t.AuditLog.action == "day_off")).all()
    assert history.new_value["day_off"] == day.isoformat() and history.old_value["end_date"] == end.isoformat()

    before = snapshot(settings.sqlalchemy_url)
    again = _declare(day, reason="sent twice")
    assert again.is_completed() and again.result().already
    assert snapshot(settings.sqlalchemy_url) == before  # declared twice, changed once


def test_a_day_that_was_held_cannot_be_declared_off_and_nothing_changes(settings, tmp_path: Path) -> None:
    _open(tmp_path)
    sessions, _, _ = _calendar()
    held = sorted(sessions.values())[3]
    with services().unit_of_work() as session:
        enrolment = session.scalar(select(t.Enrolment.id).limit(1))
        session_id = session.scalar(select(t.Session.id).where(t.Session.date == held))
        session.add(t.Attendance(enrolment_id=enrolment, session_id=session_id, status="hadir", jp=8))
    before = snapshot(settings.sqlalchemy_url)

    state = _declare(sorted(sessions.values())[1])  # moves the held day too
    assert state.is_failed()
    assert held.isoformat() in state.message and "Angkatan 1" in state.message
    assert snapshot(settings.sqlalchemy_url) == before


def test_the_next_check_tells_everyone_concerned_once_and_later_cohorts_keep_the_day_off(
    settings, tmp_path: Path
) -> None:
    _open(tmp_path)
    sessions, _, _ = _calendar()
    day = sorted(sessions.values())[5]
    assert _declare(day).is_completed()

    first = check_milestones(CheckMilestones(as_of=day + timedelta(days=1)))
    (check,) = first.cohorts
    assert len(check.calendar_changes) == 1 and day.isoformat() in check.calendar_changes[0]
    with services().unit_of_work() as session:
        told = session.scalar(select(func.count()).where(t.Notification.key.like("day-off:%")))
    assert told >= 6  # the operator, six participants (and their coach and mentors where they have an address)
    second = check_milestones(CheckMilestones(as_of=day + timedelta(days=2)))
    assert second.cohorts[0].calendar_changes == []
    with services().unit_of_work() as session:
        assert session.scalar(select(func.count()).where(t.Notification.key.like("day-off:%"))) == told

    _open(tmp_path, number=2, start=day - timedelta(days=7))  # opened after the declaration
    later, _, _ = _calendar(2)
    assert day not in later.values()
