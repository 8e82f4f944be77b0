"""The task of the record-decision flow: one operator decision, in one audited transaction."""

from __future__ import annotations

from datetime import date

from diklat.bootstrap import services
from diklat.domain.problems import Blocked, Problem
from diklat.store import actions
from diklat.store.cohorts import CohortRef
from schemas.params import RecordDecision
from tasks.common import io_task

ACTOR = "operator"  # the audit log's actor for every decision taken through the CLI or the UI


@io_task
def save_decision(params: RecordDecision, cohort: CohortRef, on: date) -> bool | Blocked:
    """Record the decision: True if it changed something, False if already recorded, or why it cannot be."""
    try:
        with services().unit_of_work() as session:
            if params.decision == "withdraw":
                nip = actions.participant_nip(session, cohort, params.participant)
                return actions.withdraw(session, cohort, nip, on, params.reason, ACTOR)
            if params.decision == "waive":
                nip = actions.participant_nip(session, cohort, params.participant)
                return actions.waive(session, cohort, nip, params.milestone, on, params.reason, ACTOR)
            return actions.move_milestone(session, cohort, params.milestone, params.to, params.reason, ACTOR)
    except actions.ActionRefused as refused:  # unknown participant or milestone, a date outside the cohort
        return Blocked(Problem(refused.code, None, refused.params))
