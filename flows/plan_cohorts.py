"""plan-cohorts: from the agency's personnel roster to next year's cohorts and their rosters."""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Completed, State

from diklat.bootstrap import services
from diklat.clock import today_in
from diklat.domain.gated import BatchCounts
from diklat.domain.names import slug
from diklat.domain.planning import cohorts_needed
from diklat.domain.problems import Blocked, Problem
from diklat.i18n import translator
from diklat.orchestration import run_namer
from diklat.report.planning import PlanOverview, plan_markdown, plan_overview
from diklat.templates import resolve_template
from schemas.params import PlanCohorts
from schemas.planning import PlanningRules
from tasks.hooks import after_run
from tasks.planning import (
    build_backlog,
    propose_windows,
    read_personnel,
    record_personnel_batch,
    seat_backlog,
    validate_personnel,
    write_plan_files,
)
from tasks.reports import blocked_state


@dataclass
class PlanSummary:
    program: str
    counts: BatchCounts
    backlog: int
    in_post: int
    cohorts: list[dict] = field(default_factory=list)
    unplaced: int = 0
    files: dict = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return "quarantined" if self.counts.rows_quarantined else "accepted"


@flow(name="plan-cohorts", flow_run_name=run_namer("plan-cohorts"), **after_run())
def plan_cohorts(params: PlanCohorts) -> State:
    """Read and gate the roster, rank the backlog, propose dated cohorts, write the plan."""
    logger = get_run_logger()
    settings = services().settings
    as_of = params.as_of or today_in(settings.timezone)
    try:
        template = resolve_template(params.template, settings.template_dir)
    except LookupError:
        return blocked_state(
            Blocked(Problem("template.unknown", None, {"name": params.template, "known": "PKP"})), "personnel"
        )
    rules = PlanningRules(
        year=params.year,
        cohorts_per_year=params.cohorts_per_year,
        capacity=params.capacity,
        max_unit_share=params.max_unit_share,
        earliest_start=params.earliest_start,
    )

    # 1. read, 2. gate
    table = read_personnel(params.personnel)
    if isinstance(table, Blocked):
        return blocked_state(table, "personnel")
    gated = validate_personnel(table, as_of)
    if isinstance(gated, Blocked):  # mostly unusable rows: the wrong file, refused whole
        return blocked_state(gated, "personnel")
    counts = record_personnel_batch(gated, table, f"planning:{slug(params.program)}")

    # 3. backlog, 4. dates, 5. seats, 6. files and artifacts
    backlog = build_backlog(gated, rules, template, as_of)
    needed = cohorts_needed(len(backlog), rules)
    starts = propose_windows(rules, template, needed, params.classrooms) if needed else []
    plan = seat_backlog(backlog, rules, template, starts)
    files = write_plan_files(params.program, backlog, plan)
    overview = plan_overview(backlog, plan)
    summary = PlanSummary(
        params.program,
        counts,
        overview.backlog,
        overview.in_post,
        overview.cohorts,
        overview.unplaced,
        vars(files),
    )
    _publish(params.program, overview, counts)
    logger.info(
        "Backlog %d (%d in post); %d cohorts planned, %d unplaced",
        summary.backlog,
        summary.in_post,
        len(plan.cohorts),
        summary.unplaced,
    )
    return Completed(data=summary, message=f"{len(plan.cohorts)} cohorts for {summary.backlog} officials")


def _publish(program: str, overview: PlanOverview, counts: BatchCounts) -> None:
    _ = translator()
    key = slug(f"plan-{program}")
    if overview.cohorts:
        create_table_artifact(
            overview.cohorts, key=f"{key}-cohorts", description=_("Proposed cohorts: dates and participants")
        )
    create_markdown_artifact(
        plan_markdown(program, overview, counts), key=f"{key}-summary", description=_("Cohort plan")
    )
