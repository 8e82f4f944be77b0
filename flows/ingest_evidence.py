"""ingest-evidence: attendance, coaching/mentoring logs or deliverables of one cohort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow, get_run_logger
from prefect.states import Completed, State

from diklat.clock import today_in
from diklat.domain.gated import BatchCounts
from diklat.domain.problems import Blocked
from diklat.io.read import RawTable
from diklat.orchestration import cohort_lock, run_namer
from diklat.settings import get_settings
from diklat.store.cohorts import CohortRef
from schemas.params import IngestEvidence
from tasks.evidence import find_cohort, load_evidence_context, read_evidence, save_evidence_rows, validate_evidence
from tasks.hooks import after_run
from tasks.reports import blocked_state, publish_ingest_report


@dataclass
class IngestSummary:
    cohort: str
    kind: str
    counts: BatchCounts
    rejected_file: str | None = None

    @property
    def outcome(self) -> str:
        return "quarantined" if self.counts.rows_quarantined else "accepted"


@flow(
    name="ingest-evidence",
    flow_run_name=run_namer("ingest-evidence"),
    **after_run(reads_a_file=True),
)
def ingest_evidence(params: IngestEvidence) -> State:
    """Read an evidence file, pass it through its gate, save what is valid, quarantine the rest."""
    today = params.today or today_in(get_settings().timezone)

    # 1. read, find the cohort
    form = (params.role, params.wave) if params.kind == "responses" and params.role else None
    table = read_evidence(params.kind, params.file, form)
    if isinstance(table, Blocked):
        return blocked_state(table, params.kind)
    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, params.kind)
    with cohort_lock(params.program, params.cohort):  # one run per cohort at a time
        return _ingest(params, table, cohort, today)


def _ingest(params: IngestEvidence, table: RawTable, cohort: CohortRef, today: date) -> State:
    """Steps 2-4, holding the cohort's lock."""
    logger = get_run_logger()
    # 2. gate, 3. persist, 4. report
    gated = validate_evidence(params.kind, table, load_evidence_context(cohort, params.kind), today)
    if isinstance(gated, Blocked):  # mostly unusable rows: the wrong file, refused whole
        return blocked_state(gated, params.kind)
    counts = save_evidence_rows(gated, cohort, table)
    rejected = publish_ingest_report(params.kind, cohort, counts, table.headers, table.layout)
    logger.info(
        "%s batch %d: read %d = accepted %d + quarantined %d (%d unchanged)",
        params.kind,
        counts.batch_id,
        counts.rows_read,
        counts.rows_accepted,
        counts.rows_quarantined,
        counts.rows_unchanged,
    )
    summary = IngestSummary(cohort.label, params.kind, counts, rejected)
    return Completed(data=summary, message=f"{summary.outcome}: {counts.rows_quarantined} rows quarantined")
