"""assess-cohorts: the final assessment of many cohorts (a province's or LAN's year) from a cohort list.

The same story as final-assessment (read, gate, save scores, grade, certificates, recap, close),
told for chunks of ``DIKLAT_COHORTS_PER_TASK`` cohorts: a chunk's score sheets go through ONE Great
Expectations run, its grades, certificates and recaps are each one task over the whole chunk, so the
number of task runs grows with cohorts / chunk size and never with participants. Chunks run one
after the other.

A cohort that is not recorded, or whose files cannot be read, is held back (named in the summary
with the reason); the others are graded and the run ends Failed so the operator looks. Running the
same list again changes nothing: sheets already applied are skipped and unchanged results are not
written or audited.

No per-cohort lock is taken (thousands of cohorts would mean thousands of API round trips): the
deployment's concurrency limit of 1 (prefect.yaml) keeps two batch runs apart. Do not run
final-assessment by hand for a cohort of the list while its batch runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts
from diklat.domain.manifest import ManifestEntry
from diklat.domain.names import slug
from diklat.domain.problems import Blocked, Problem
from diklat.i18n import translator
from diklat.orchestration import run_namer
from diklat.report.assessment import CohortOutcome, batch_markdown
from diklat.store.cohorts import CohortRef
from schemas.params import AssessCohorts
from tasks.certificates import Certificates
from tasks.cohort_batch import HeldBack, read_cohort_list
from tasks.grading import Graded
from tasks.graduation import find_cohorts, finish_cohorts
from tasks.hooks import after_run
from tasks.reports import blocked_state
from tasks.scores import (
    SavedSheet,
    held_back,
    prepare_score_sheets,
    read_score_sheets,
    save_score_sheets,
    validate_score_sheets,
)


@dataclass(frozen=True)
class AssessedCohort:
    """What happened to one cohort of the list (counts only; no names or NIPs)."""

    ref: CohortRef
    counts: BatchCounts
    rejected_file: str | None
    graded: Graded
    certificates: Certificates
    recap: list[str]
    closed: bool

    @property
    def label(self) -> str:
        return self.ref.label


@dataclass
class BatchAssessment:
    program: str
    assessed: list[AssessedCohort] = field(default_factory=list)
    held: list[HeldBack] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return sum(c.counts.rows_quarantined for c in self.assessed)

    @property
    def statuses(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for cohort in self.assessed:
            for status, n in cohort.graded.statuses.items():
                out[status] = out.get(status, 0) + n
        return out


@flow(name="assess-cohorts", flow_run_name=run_namer("assess-cohorts"), log_prints=False, **after_run())
def assess_cohorts(params: AssessCohorts) -> State:
    """Grade every cohort of the list, issue certificates, write recaps (unless documents is off), close.

    With ``documents`` off, certificate numbers, versions and verification codes are recorded but no
    PDF or recap is written: a certificate PDF takes ~40 ms, so 100,000 would take over an hour.
    """
    logger = get_run_logger()

    # 1. the list of cohorts, and which of them are recorded
    entries = read_cohort_list(params.manifest, ("scores",))
    if isinstance(entries, Blocked):
        return blocked_state(entries, "manifest")
    found = find_cohorts(params.program, [e.cohort for e in entries])
    summary = BatchAssessment(params.program)
    known: list[tuple[ManifestEntry, CohortRef]] = []
    for entry in entries:
        if entry.cohort in found:
            known.append((entry, found[entry.cohort]))
        else:
            unknown = Problem("cohort.unknown", None, {"program": params.program, "cohort": entry.cohort})
            summary.held.append(held_back(entry, unknown, "scores"))

    # 2. chunk by chunk: read, gate, save scores; grade, certificates, recaps, close
    size = services().settings.cohorts_per_task
    progress = create_progress_artifact(0.0, description=translator()("Final assessment progress"))
    for first in range(0, len(known), size):
        assessed, held = _assess_chunk(known[first : first + size], params)
        summary.assessed += assessed
        summary.held += held
        update_progress_artifact(progress, 100.0 * min(first + size, len(known)) / len(known))
        logger.info("Cohorts %d-%d of %d done", first + 1, min(first + size, len(known)), len(known))
    update_progress_artifact(progress, 100.0)

    # 3. one summary for the whole run
    summary.held.sort(key=lambda h: h.row_number)
    publish_batch_assessment(summary)
    logger.info(
        "Assessed %d cohorts of %s (%s); %d score rows quarantined; %d cohorts held back",
        len(summary.assessed),
        params.program,
        summary.statuses,
        summary.rows_quarantined,
        len(summary.held),
    )
    message = f"{len(summary.assessed)} cohorts graded, {summary.rows_quarantined} score rows quarantined"
    if summary.held:
        reasons = "; ".join(f"{h.cohort}: {h.reason}" for h in summary.held[:5])
        more = " …" if len(summary.held) > 5 else ""
        return Failed(
            data=summary,
            message=f"{message}; {len(summary.held)} cohorts held back, not graded ({reasons}{more}): see artifact",
        )
    return Completed(data=summary, message=message)


def _assess_chunk(
    part: list[tuple[ManifestEntry, CohortRef]], params: AssessCohorts
) -> tuple[list[AssessedCohort], list[HeldBack]]:
    """A fixed number of tasks for the whole chunk, whatever the number of participants."""
    sheets = read_score_sheets(quote(part))
    ready = [ref for _, ref in part if ref.cohort_id in sheets.scores]
    if not ready:
        return [], sheets.held
    as_of = {c.cohort_id: params.as_of or c.end_date for c in ready}
    plan = prepare_score_sheets(quote(ready), quote(sheets), as_of)
    screened = validate_score_sheets(quote(sheets), quote(plan), as_of, quote(part))
    saved = {i: SavedSheet(c, None) for i, c in plan.done.items()} | save_score_sheets(
        quote(ready), quote(sheets), quote(screened.gated)
    )
    ready = [c for c in ready if c.cohort_id in saved]  # a sheet refused whole grades nobody
    sources = {
        i: f"{sheets.scores[i].file_name} (batch {saved[i].counts.batch_id})" for i in (c.cohort_id for c in ready)
    }
    done = finish_cohorts(ready, as_of, sources, as_of, params.documents)
    assessed = [
        AssessedCohort(
            c,
            saved[c.cohort_id].counts,
            saved[c.cohort_id].rejected_file,
            done.graded[c.cohort_id],
            done.certificates[c.cohort_id],
            done.recaps[c.cohort_id],
            done.closed[c.cohort_id],
        )
        for c in ready
    ]
    return assessed, sheets.held + screened.held


def publish_batch_assessment(summary: BatchAssessment) -> None:
    """ONE artifact for the whole run (no NIPs); published from the flow so the run's task count stays flat."""
    _ = translator()
    outcomes = [
        CohortOutcome(
            c.label,
            c.counts,
            c.graded.statuses,
            c.certificates.issued + c.certificates.reissued,
            c.closed,
            c.rejected_file,
        )
        for c in summary.assessed
    ]
    create_markdown_artifact(
        batch_markdown(summary.program, outcomes, summary.held),
        key=slug(f"assessment-{summary.program}-summary"),
        description=_("Final assessment of the cohort list"),
    )
