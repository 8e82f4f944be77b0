"""record-decision: an operator's decision on a cohort (withdraw, waive a milestone, move a due date)."""

from __future__ import annotations

from prefect import flow
from prefect.states import Completed, State

from diklat.bootstrap import services
from diklat.clock import today_in
from diklat.domain.problems import Blocked
from diklat.orchestration import cohort_lock, run_namer
from schemas.params import RecordDecision
from tasks.decisions import save_decision
from tasks.evidence import find_cohort
from tasks.hooks import after_run
from tasks.reports import blocked_state


@flow(name="record-decision", flow_run_name=run_namer("record-decision"), **after_run())
def record_decision(params: RecordDecision) -> State:
    """Record an operator's decision on a cohort, audited; a refused one fails with the reason."""
    # 1. the cohort as recorded (a decision never creates one)
    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, "decision")
    on = params.on or today_in(services().settings.timezone)

    # 2. record it holding the cohort's lock: a check or a load of the same cohort waits for it
    with cohort_lock(params.program, params.cohort):
        changed = save_decision(params, cohort, on)

    # 3. say what happened (the CLI prints "Recorded." or "Nothing to change")
    if isinstance(changed, Blocked):
        return blocked_state(changed, "decision")
    return Completed(data=changed, message="recorded" if changed else "already recorded")
