"""open-cohorts: a province's or LAN's whole intake, from a cohort list to open cohorts, chunk by chunk.

The same story as open-cohort (read, gate, enrol, guides, calendar), told for many cohorts at once:
each chunk of ``DIKLAT_COHORTS_PER_TASK`` cohorts is read, validated in one Great Expectations run
and written in one transaction, so the number of task runs grows with cohorts / chunk size and
never with participants. Chunks run one after the other: a NIP listed for two cohorts is caught
whether they share a chunk (the gate) or not (the later chunk sees the earlier one's enrolments).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from diklat.clock import today_in
from diklat.domain.problems import Blocked
from diklat.orchestration import run_namer
from diklat.settings import get_settings
from schemas.params import OpenCohorts
from tasks.cohort_batch import (
    HeldBack,
    OpenedCohort,
    prepare_cohorts,
    read_cohort_list,
    read_rosters,
    save_cohorts,
    validate_rosters,
)
from tasks.hooks import after_run
from tasks.intake import publish_intake, publish_rejected
from tasks.reports import blocked_state, template_named


@dataclass
class IntakeSummary:
    """Counts per cohort and the cohorts held back (no names or NIPs)."""

    program: str
    opened: list[OpenedCohort] = field(default_factory=list)
    held: list[HeldBack] = field(default_factory=list)
    rejected_files: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(c.counts.rows_read for c in self.opened)

    @property
    def rows_accepted(self) -> int:
        return sum(c.counts.rows_accepted for c in self.opened)

    @property
    def rows_quarantined(self) -> int:
        return sum(c.counts.rows_quarantined for c in self.opened)


@flow(name="open-cohorts", flow_run_name=run_namer("open-cohorts"), log_prints=False, **after_run())
def open_cohorts(params: OpenCohorts) -> State:
    """Open every cohort of the list; a cohort whose file cannot be used is held back, the others go on."""
    settings = get_settings()
    logger = get_run_logger()
    today = params.today or today_in(settings.timezone)
    template = template_named(params.template)
    if isinstance(template, Blocked):
        return blocked_state(template, "roster")

    # 1. the list of cohorts
    entries = read_cohort_list(params.manifest, ("start", "roster"))
    if isinstance(entries, Blocked):
        return blocked_state(entries, "manifest")
    summary = IntakeSummary(params.program)

    # 2. chunk by chunk: read, prepare cohorts, gate, enrol + guides + calendar
    size = settings.cohorts_per_task
    for first in range(0, len(entries), size):
        part = entries[first : first + size]
        # quote(): Prefect would otherwise walk every value inside these (300k visits per 10k rows)
        # looking for futures to wait on; there are none, they are plain data.
        rosters = read_rosters(quote(part))
        chunk = prepare_cohorts(params.program, quote(part), quote(rosters), template)
        screened = validate_rosters(quote(rosters), quote(chunk), quote(part), today)
        summary.opened += save_cohorts(quote(screened.gated), quote(rosters), quote(chunk), quote(screened.coaches))
        summary.held += sorted(rosters.held + chunk.held + screened.held, key=lambda h: h.row_number)
        logger.info("Cohorts %d-%d of %d done", first + 1, first + len(part), len(entries))

    # 3. report: files to fix for cohorts with quarantined rows, one summary for the whole intake
    summary.rejected_files = publish_rejected(summary.program, quote(summary.opened))
    publish_intake(summary.program, summary.opened, summary.held, summary.rejected_files)
    logger.info(
        "Intake %s: %d cohorts opened, %d held back; rows read %d = accepted %d + quarantined %d",
        params.program,
        len(summary.opened),
        len(summary.held),
        summary.rows_read,
        summary.rows_accepted,
        summary.rows_quarantined,
    )
    message = f"{len(summary.opened)} cohorts opened, {summary.rows_quarantined} rows quarantined"
    if summary.held:
        cohorts = ", ".join(str(h.cohort) for h in summary.held[:20])
        count = f"{len(summary.held)} cohort" + ("s" if len(summary.held) > 1 else "")
        return Failed(data=summary, message=f"{message}; held back: {count} ({cohorts}), see the intake artifact")
    return Completed(data=summary, message=message)
