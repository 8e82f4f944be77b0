"""The end of a final assessment, shared by final-assessment, clear-deferral and assess-cohorts.

Grade, certify, recap and close a list of cohorts (the single-cohort flows pass one); find the
cohorts of a list; record a deferral's clearance or a certificate's revocation and re-issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from prefect.utilities.annotations import quote

from diklat.bootstrap import services
from diklat.domain.problems import Blocked, Problem
from diklat.store import assessment as store
from diklat.store import certificates as certs
from diklat.store.actions import ActionRefused, enrolment_id, participant_nip
from diklat.store.cohorts import CohortRef
from diklat.store.results import clear_deferral
from tasks.certificates import Certificates, issue_certificates
from tasks.common import io_task, refresh_planner_statistics
from tasks.grading import ACTOR, Graded, grade_cohorts
from tasks.recaps import write_recaps

OPERATOR = "operator"  # the audit log's actor for a clearance decided by an operator


@dataclass(frozen=True)
class Finished:
    """Steps 4-7 of the final assessment for a list of cohorts, by cohort id."""

    graded: dict[int, Graded]
    certificates: dict[int, Certificates]
    recaps: dict[int, list[str]]
    closed: dict[int, bool]


def finish_cohorts(
    cohorts: list[CohortRef],
    as_of: dict[int, date],
    sources: dict[int, str],
    issued_on: dict[int, date],
    documents: bool = True,
) -> Finished:
    """Grade, certify, recap and close: the same four task runs for one cohort or a whole chunk."""
    # quote(): the inputs are plain data; Prefect would otherwise walk every cohort's template and
    # every result row looking for futures (these tasks are called directly, never submitted).
    graded = grade_cohorts(quote(cohorts), as_of, sources)
    certificates = issue_certificates(quote(cohorts), quote(graded), issued_on, documents)
    recaps = write_recaps(quote(cohorts), quote(graded)) if documents else {c.cohort_id: [] for c in cohorts}
    closed = close_if_complete(quote(cohorts), quote(graded))
    return Finished(graded, certificates, recaps, closed)


@io_task
def close_if_complete(cohorts: list[CohortRef], graded: Mapping[int, Graded]) -> dict[int, bool]:
    """A cohort whose every participant has a decision is closed: it stops being checked daily."""
    complete = [c.cohort_id for c in cohorts if not graded[c.cohort_id].incomplete]
    with services().unit_of_work() as session:
        store.close_cohorts(session, complete, ACTOR)
    return {c.cohort_id: not graded[c.cohort_id].incomplete for c in cohorts}


@io_task
def find_cohorts(program: str, numbers: list[int]) -> dict[int, CohortRef]:
    """The listed cohorts as recorded (a batch assessment never creates one)."""
    refresh_planner_statistics()
    with services().unit_of_work() as session:
        return store.find_cohorts(session, program, numbers)


@io_task
def record_clearance(cohort: CohortRef, participant: str, on: date, reason: str) -> bool | Blocked:
    """Record that a deferred pass's revisions are in: True if recorded now, False if already, or why not."""
    try:
        with services().unit_of_work() as session:
            nip = participant_nip(session, cohort, participant)
            return clear_deferral(session, cohort, nip, on, reason, OPERATOR)
    except ActionRefused as refused:  # no such participant, or no deferred pass
        return Blocked(Problem(refused.code, None, refused.params))


@io_task
def record_certificate_decision(
    cohort: CohortRef, participant: str, revoke: bool, on: date, reason: str
) -> bool | Blocked:
    """Revoke (hold) or re-issue (release) one participant's certificate: True if recorded now, False if
    it already was, or why it cannot be (no such participant, no issued certificate)."""
    try:
        with services().unit_of_work() as session:
            enrolment = enrolment_id(session, cohort, participant_nip(session, cohort, participant))
            decide = certs.hold if revoke else certs.release
            return decide(session, enrolment, cohort.label, on, reason, OPERATOR)
    except ActionRefused as refused:
        return Blocked(Problem(refused.code, None, refused.params))
