"""Task of a declared day off: record it and move the running cohorts' calendars, in one transaction."""

from __future__ import annotations

from datetime import date

from diklat.bootstrap import services
from diklat.domain.days_off import DayOffOutcome
from diklat.domain.problems import Blocked, Problem
from diklat.store.cohorts import CohortConflict
from diklat.store.days_off import declare_day_off
from tasks.common import current_run_id, io_task

ACTOR = "declare-day-off"


@io_task
def record_day_off(program: str, day: date, reason: str) -> DayOffOutcome | Blocked:
    """The day off for the programme, its cohorts' calendars laid out again; or why it cannot be."""
    try:
        with services().unit_of_work() as session:
            return declare_day_off(session, program, day, reason, ACTOR, current_run_id())
    except CohortConflict as conflict:  # unknown programme, or a day that was already held
        return Blocked(Problem(conflict.code, None, conflict.params))
