"""open-cohort: from an operator's roster file to an open cohort with guides and a calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow, get_run_logger
from prefect.states import Completed, State

from diklat.clock import today_in
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.problems import Blocked
from diklat.io.read import RawTable
from diklat.orchestration import cohort_lock, run_namer
from diklat.settings import get_settings
from schemas.params import OpenCohort
from schemas.template import Template
from tasks.hooks import after_run
from tasks.reports import blocked_state, publish_ingest_report, template_named
from tasks.roster import (
    assign_guides,
    generate_calendar,
    load_roster_rules,
    prepare_cohort,
    read_coaches,
    read_roster,
    save_enrolments,
    validate_roster,
)
from tasks.staff import record_staff, validate_staff


@dataclass
class OpenCohortSummary:
    """What the operator is told at the end (counts only; no names or NIPs)."""

    cohort: str
    counts: BatchCounts
    enrolled_total: int = 0
    rejected_file: str | None = None
    coaches: BatchCounts | None = None
    coaches_rejected_file: str | None = None
    without_coach: int = 0
    without_mentor: int = 0
    sessions: int = 0
    milestones: int = 0
    end_date: str = ""

    @property
    def outcome(self) -> str:
        held = self.counts.rows_quarantined + (self.coaches.rows_quarantined if self.coaches else 0)
        return "quarantined" if held else "accepted"


@flow(
    name="open-cohort",
    flow_run_name=run_namer("open-cohort"),
    log_prints=False,
    **after_run(reads_a_file=True),
)
def open_cohort(params: OpenCohort) -> State:
    """Read the roster, pass it through the gate, enrol, assign guides, lay out the calendar."""
    settings = get_settings()
    today = params.today or today_in(settings.timezone)
    template = template_named(params.template)
    if isinstance(template, Blocked):
        return _blocked(template)

    # 1. read and prepare
    table = read_roster(params.roster)
    if isinstance(table, Blocked):
        return _blocked(table)
    coaches = None
    if params.coaches:  # gated before anything is written: a wrong file opens nothing
        coaches_table = read_coaches(params.coaches)
        if isinstance(coaches_table, Blocked):
            return blocked_state(coaches_table, "coaches")
        coaches_gated = validate_staff("coaches", coaches_table, today)
        if isinstance(coaches_gated, Blocked):
            return blocked_state(coaches_gated, "coaches")
        coaches = (coaches_table, coaches_gated)
    with cohort_lock(params.program, params.cohort):  # one run per cohort at a time
        return _enrol(params, template, table, coaches, today)


def _enrol(
    params: OpenCohort, template: Template, table: RawTable, coaches: tuple[RawTable, Gated] | None, today: date
) -> State:
    """Steps 2-6, holding the cohort's lock."""
    logger = get_run_logger()
    cohort = prepare_cohort(params.program, params.cohort, params.start, template)
    if isinstance(cohort, Blocked):
        return _blocked(cohort)

    # 2. gate
    gated = validate_roster(table, load_roster_rules(cohort), today)
    if isinstance(gated, Blocked):  # mostly unusable rows: the wrong file, refused whole
        return _blocked(gated)
    logger.info(
        "Gate: %d rows read, %d accepted, %d quarantined", gated.rows_read, len(gated.accepted), len(gated.quarantined)
    )

    # 3. persist, 4. guides, 5. calendar
    counts = save_enrolments(gated, cohort, table)
    coach_counts, coaches_rejected = None, None
    if coaches is not None:
        coaches_table, coaches_gated = coaches
        coach_counts = record_staff(coaches_gated, cohort, coaches_table)
        coaches_rejected = publish_ingest_report(
            "coaches", cohort, coach_counts, coaches_table.headers, coaches_table.layout
        )
    guide_counts = assign_guides(cohort, gated, None if coaches is None else coaches[1])
    calendar = generate_calendar(cohort)

    # 6. report
    rejected = publish_ingest_report("roster", cohort, counts, table.headers, table.layout)
    summary = OpenCohortSummary(
        cohort=cohort.label,
        counts=counts,
        enrolled_total=guide_counts.participants,
        rejected_file=rejected,
        coaches=coach_counts,
        coaches_rejected_file=coaches_rejected,
        without_coach=guide_counts.without_coach,
        without_mentor=guide_counts.without_mentor,
        sessions=calendar.sessions,
        milestones=calendar.milestones,
        end_date=calendar.end_date.isoformat(),
    )
    logger.info(
        "Batch %d: read %d = accepted %d + quarantined %d; cohort now has %d participants",
        counts.batch_id,
        counts.rows_read,
        counts.rows_accepted,
        counts.rows_quarantined,
        summary.enrolled_total,
    )
    held_coaches = f", {coach_counts.rows_quarantined} coaches rows quarantined" if coach_counts else ""
    return Completed(
        data=summary, message=f"{summary.outcome}: {counts.rows_quarantined} rows quarantined{held_coaches}"
    )


def _blocked(blocked: Blocked) -> State:
    return blocked_state(blocked, "roster")
