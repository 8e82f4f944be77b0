"""Tasks of cohort planning: the whole roster at once (a million rows is one frame, not a million tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.names import slug
from diklat.domain.planning import Plan, eligible_backlog, plan_cohorts, start_dates
from diklat.domain.problems import Blocked, FileProblem
from diklat.gate.evidence import gate_personnel
from diklat.io.read import RawTable, read_table
from diklat.io.write import write_table
from diklat.report.plan_files import backlog_table, plan_table, roster_table
from diklat.store.batches import counts_of, previous_batch, quarantine, start_batch
from diklat.store.planning import enrolled_in_running, graduate_nips, running_cohorts
from schemas.files import PERSONNEL
from schemas.planning import PlanningRules
from schemas.template import Template
from tasks.common import compute_task, current_run_id, gate_whole_file, io_task, operator_file

# Excel opens at most 1,048,576 rows; larger outputs are written as CSV.
XLSX_ROWS = 200_000


@io_task
def read_personnel(path: str) -> RawTable | Blocked:
    """Read the agency's personnel roster."""
    try:
        return read_table(operator_file(path), PERSONNEL)
    except FileProblem as error:
        return Blocked.from_error(error)


@compute_task
def validate_personnel(table: RawTable, today: date) -> Gated | Blocked:
    """The roster's reading rules and gate, over the whole file in one validation run (or the file refused)."""
    return gate_whole_file(table.frame, lambda f: gate_personnel(f, today), table.file_name)


@io_task
def record_personnel_batch(gated: Gated, table: RawTable, scope: str) -> BatchCounts:
    """The batch and its quarantined rows (the valid rows are planning input, not records to keep)."""
    with services().unit_of_work() as session:
        done = previous_batch(session, "personnel", scope, table.sha256)
        if done is not None:
            return counts_of(done, already=True)
        batch = start_batch(session, gated, scope, table.file_name, table.sha256, current_run_id())
        quarantine(session, batch, gated)
        return counts_of(batch, already=False)


@io_task
def build_backlog(gated: Gated, rules: PlanningRules, template: Template, as_of: date) -> pd.DataFrame:
    """Eligible officials without PKP, ranked; graduates recorded in diklat count as trained, and
    participants of a cohort still running are not waiting for a place."""
    with services().unit_of_work() as session:
        trained = graduate_nips(session)
        enrolled = enrolled_in_running(session)
    return eligible_backlog(gated.accepted, trained, rules, template, as_of, enrolled)


@io_task
def propose_windows(rules: PlanningRules, template: Template, needed: int, classrooms: int = 1) -> list[date]:
    """Start dates that avoid holidays and campus phases already booked; the next year when the rooms are full."""
    with services().unit_of_work() as session:
        running = running_cohorts(session)
    return start_dates(rules, template, needed, running, classrooms)


@compute_task
def seat_backlog(backlog: pd.DataFrame, rules: PlanningRules, template: Template, starts: list[date]) -> Plan:
    """Seat the backlog in priority order, respecting capacity and the unit-share limit."""
    return plan_cohorts(backlog, rules, template, starts)


@dataclass
class PlanFiles:
    backlog: str
    plan: str
    rosters: list[str]


@io_task
def write_plan_files(program: str, backlog: pd.DataFrame, plan: Plan) -> PlanFiles:
    """The backlog and the plan for the operator, and one roster per proposed cohort that open-cohort accepts."""
    folder = services().settings.outputs / "rencana" / slug(program)
    suffix = ".xlsx" if len(backlog) <= XLSX_ROWS else ".csv"
    backlog_path = write_table(backlog_table(backlog), folder / f"backlog{suffix}")
    plan_path = write_table(plan_table(plan), folder / f"rencana{suffix}")
    rosters = [
        str(write_table(roster_table(c), folder / f"roster-angkatan-{c.number}.xlsx"))
        for c in plan.cohorts
        if len(c.members) <= XLSX_ROWS
    ]
    return PlanFiles(str(backlog_path), str(plan_path), rosters)
