"""final-assessment: score sheets -> gate -> grades -> certificates (STTP) -> recap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State

from diklat.bootstrap import services
from diklat.clock import today_in
from diklat.domain.gated import BatchCounts
from diklat.domain.problems import Blocked
from diklat.messages import render
from diklat.orchestration import cohort_lock, run_namer
from diklat.store.cohorts import CohortRef
from schemas.params import ClearDeferral, FinalAssessment
from tasks.assessment_reports import publish_results
from tasks.certificates import Certificates
from tasks.evidence import find_cohort, read_evidence, save_evidence_rows
from tasks.grading import Graded
from tasks.graduation import finish_cohorts, record_clearance
from tasks.hooks import after_run
from tasks.reports import blocked_state, publish_ingest_report
from tasks.scores import load_score_context, register_assessors, validate_scores
from tasks.staff import record_staff, validate_staff


@dataclass
class AssessmentSummary:
    cohort_id: int
    cohort: str
    counts: BatchCounts
    graded: Graded
    certificates: Certificates
    recap: list[str]
    closed: bool
    rejected_file: str | None = None

    @property
    def outcome(self) -> str:
        return "quarantined" if self.counts.rows_quarantined else "accepted"


@flow(
    name="final-assessment",
    flow_run_name=run_namer("final-assessment"),
    **after_run(reads_a_file=True),
)
def final_assessment(params: FinalAssessment) -> State:
    """Grade a cohort exactly and reproducibly, issue its certificates and recap."""
    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, "scores")
    with cohort_lock(params.program, params.cohort):  # one run per cohort at a time
        return _assess(params, cohort)


def _assess(params: FinalAssessment, cohort: CohortRef) -> State:
    """Steps 1-8, holding the cohort's lock."""
    logger = get_run_logger()
    as_of = params.as_of or cohort.end_date

    # 1. read, 2. gate, 3. persist the scores (a corrected sheet changes only the corrected rows)
    if params.assessors:  # examiners first: the score sheet is checked against them
        assessors = read_evidence("assessors", params.assessors)
        if isinstance(assessors, Blocked):
            return blocked_state(assessors, "assessors")
        examiners = validate_staff("assessors", assessors, as_of)
        if isinstance(examiners, Blocked):
            return blocked_state(examiners, "assessors")
        examiner_counts = record_staff(examiners, cohort, assessors)
        register_assessors(cohort, examiners)
        publish_ingest_report("assessors", cohort, examiner_counts, assessors.headers, assessors.layout)
    table = read_evidence("scores", params.scores)
    if isinstance(table, Blocked):
        return blocked_state(table, "scores")
    gated = validate_scores(table, load_score_context(cohort), as_of)
    if isinstance(gated, Blocked):  # mostly unusable rows: refused whole, and nobody is graded from it
        return blocked_state(gated, "scores")
    counts = save_evidence_rows(gated, cohort, table)
    rejected = publish_ingest_report("scores", cohort, counts, table.headers, table.layout)

    # 4. grade, 5. certificates, 6. recap, 7. close: the batch flow's steps, for one cohort
    i = cohort.cohort_id
    done = finish_cohorts([cohort], {i: as_of}, {i: f"{table.file_name} (batch {counts.batch_id})"}, {i: as_of})
    graded, certificates, recap, closed = done.graded[i], done.certificates[i], done.recaps[i], done.closed[i]

    # 8. show the results (NIPs masked) and a headline
    summary = AssessmentSummary(cohort.cohort_id, cohort.label, counts, graded, certificates, recap, closed, rejected)
    publish_results(cohort.cohort_id, cohort.label, graded, certificates)
    logger.info(
        "Graded %s: %s; %d results changed; certificates reserved %d, issued %d, re-issued %d",
        cohort.label,
        graded.statuses,
        graded.changed,
        certificates.reserved,
        certificates.issued,
        certificates.reissued,
    )
    return Completed(data=summary, message=f"{summary.outcome}: {counts.rows_quarantined} rows quarantined")


@flow(name="clear-deferral", flow_run_name=run_namer("clear-deferral"), **after_run())
def clear_deferral(params: ClearDeferral) -> State:
    """Record that a deferred pass's revisions are in, then regrade: same certificate number, now issued."""
    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, "scores")
    on = params.on or today_in(services().settings.timezone)
    with cohort_lock(params.program, params.cohort):
        return _clear(params, cohort, on)


def _clear(params: ClearDeferral, cohort: CohortRef, on: date) -> State:
    """Record the decision and regrade, holding the cohort's lock."""
    # 1. the operator's decision (refused when the participant has no deferred pass)
    recorded = record_clearance(cohort, params.participant, on, params.reason)
    if isinstance(recorded, Blocked):
        return Failed(message=render(recorded.problem))

    # 2. grade, certify, recap and close again: the pass is now final, its reserved number issued
    i = cohort.cohort_id
    done = finish_cohorts([cohort], {i: cohort.end_date}, {i: f"clear-deferral {on.isoformat()}"}, {i: on})
    certificates = done.certificates[i]
    return Completed(data=certificates, message=f"issued {certificates.issued}, re-issued {certificates.reissued}")
