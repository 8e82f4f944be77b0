"""final-assessment: score sheets -> gate -> grades -> certificates (STTP) -> recap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Completed, Failed, State

from diklat.domain.gated import BatchCounts
from diklat.domain.nip import mask_nip
from diklat.domain.problems import Blocked
from diklat.i18n import translator
from diklat.orchestration import cohort_lock
from diklat.store.cohorts import CohortRef
from flows.assess_cohorts import finish_cohorts
from schemas.params import ClearDeferral, FinalAssessment
from tasks.assessment import (
    Certificates,
    Graded,
    load_score_context,
    register_assessors,
    validate_scores,
)
from tasks.evidence import find_cohort, read_evidence, save_evidence_rows
from tasks.reports import blocked_state, publish_ingest_report, slug


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


@flow(name="final-assessment")
def final_assessment(params: FinalAssessment) -> State:
    """Grade a cohort exactly and reproducibly, issue its certificates and recap."""
    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, "scores")
    with cohort_lock(params.program, params.cohort):  # one run per cohort at a time
        return _assess(params, cohort)


def _assess(params: FinalAssessment, cohort: CohortRef) -> State:
    """Steps 1-7, holding the cohort's lock."""
    logger = get_run_logger()
    as_of = params.as_of or cohort.end_date

    # 1. read, 2. gate, 3. persist the scores (a corrected sheet changes only the corrected rows)
    if params.assessors:
        assessors = read_evidence("assessors", params.assessors)
        if isinstance(assessors, Blocked):
            return blocked_state(assessors, "assessors")
        register_assessors(cohort, assessors)
    table = read_evidence("scores", params.scores)
    if isinstance(table, Blocked):
        return blocked_state(table, "scores")
    gated = validate_scores(table, load_score_context(cohort), as_of)
    counts = save_evidence_rows(gated, cohort, table)
    rejected = publish_ingest_report("scores", cohort, counts, table.headers)

    # 4. grade, 5. certificates, 6. recap, 7. close: the batch flow's code, for one cohort
    i = cohort.cohort_id
    done = finish_cohorts([cohort], {i: as_of}, {i: f"{table.file_name} (batch {counts.batch_id})"}, {i: as_of})
    graded, certificates, recap, closed = done.graded[i], done.certificates[i], done.recaps[i], done.closed[i]

    summary = AssessmentSummary(cohort.cohort_id, cohort.label, counts, graded, certificates, recap, closed, rejected)
    _publish(summary)
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


def _publish(summary: AssessmentSummary) -> None:
    """Results table (NIPs masked) and a headline summary in the Prefect UI."""
    _ = translator()
    from diklat.bootstrap import services
    from diklat.store.assessment import participants

    key = slug(f"assessment-{summary.cohort}")
    rows = sorted(summary.graded.rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))
    with services().unit_of_work() as session:
        people = participants(session, summary.cohort_id)
    nips = dict(zip(people["enrolment_id"], people["nip"], strict=True))
    headers = [_("Rank"), "NIP", _("Final score"), _("Qualification"), _("Status")]
    create_table_artifact(
        [
            dict(
                zip(
                    headers,
                    [
                        r["rank"],
                        mask_nip(nips[r["enrolment_id"]]),
                        None if r["final_score"] is None else str(r["final_score"]),
                        r["qualification"],
                        r["status"],
                    ],
                    strict=True,
                )
            )
            for r in rows
        ],
        key=f"{key}-results",
        description=_("Final results of {cohort}").format(cohort=summary.cohort),
    )
    lines = [f"### {summary.cohort}", ""] + [
        f"- {status}: {n}" for status, n in sorted(summary.graded.statuses.items())
    ]
    lines += ["", _("Certificates issued: {n}").format(n=summary.certificates.issued + summary.certificates.reissued)]
    create_markdown_artifact("\n".join(lines), key=f"{key}-summary", description=_("Final assessment summary"))


@flow(name="clear-deferral")
def clear_deferral(params: ClearDeferral) -> State:
    """Record that a deferred pass's revisions are in, then regrade: same certificate number, now issued."""
    from diklat.clock import today_in
    from diklat.settings import get_settings

    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, "scores")
    on = params.on or today_in(get_settings().timezone)
    with cohort_lock(params.program, params.cohort):
        return _clear(params, cohort, on)


def _clear(params: ClearDeferral, cohort: CohortRef, on: date) -> State:
    """Record the decision and regrade, holding the cohort's lock."""
    from diklat.bootstrap import services
    from diklat.domain.problems import Problem
    from diklat.messages import render
    from diklat.store.actions import ActionRefused
    from diklat.store.assessment import clear_deferral as record

    try:
        with services().unit_of_work() as session:
            record(session, cohort, params.nip, on, params.reason, "operator")
    except ActionRefused as refused:
        return Failed(message=render(Problem(refused.code, None, refused.params)))
    i = cohort.cohort_id
    done = finish_cohorts([cohort], {i: cohort.end_date}, {i: f"clear-deferral {on.isoformat()}"}, {i: on})
    certificates = done.certificates[i]
    return Completed(data=certificates, message=f"issued {certificates.issued}, re-issued {certificates.reissued}")
