"""declare-day-off: the agency's own day off, applied to every running cohort of a programme."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.states import Completed, State

from diklat.domain.problems import Blocked
from diklat.orchestration import run_namer
from schemas.params import DeclareDayOff
from tasks.days_off import record_day_off
from tasks.hooks import after_run
from tasks.reports import blocked_state, publish_day_off


@flow(name="declare-day-off", flow_run_name=run_namer("declare-day-off"), **after_run())
def declare_day_off(params: DeclareDayOff) -> State:
    """Record the day off; classical days from it on slide to the next working day; the next check tells people."""
    # 1. record and reschedule, all cohorts or none (each cohort held while its calendar moves)
    outcome = record_day_off(params.program, params.day, params.reason)
    if isinstance(outcome, Blocked):
        return blocked_state(outcome, "day_off")

    # 2. show the operator what moved (who is told: the next milestone check, once)
    publish_day_off(params.program, outcome)
    get_run_logger().info(
        "Day off %s: %s; %d cohorts' calendars moved",
        params.day,
        "already recorded" if outcome.already else "recorded",
        len(outcome.cohorts),
    )
    message = "already recorded" if outcome.already else f"recorded; {len(outcome.cohorts)} cohorts moved"
    return Completed(data=outcome, message=message)
