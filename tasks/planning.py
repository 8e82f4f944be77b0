"""Tasks of cohort planning: the whole roster at once (a million rows is one frame, not a million tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.domain.calendar import days_off_for
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.planning import Plan, classical_spans, cohort_windows, eligible_backlog, plan_cohorts
from diklat.domain.problems import Blocked, FileProblem
from diklat.gate.evidence import gate_personnel
from diklat.io.read import RawTable, read_table
from diklat.io.write import write_table
from diklat.report.names import slug
from diklat.settings import get_settings
from diklat.store.batches import counts_of, previous_batch, quarantine, start_batch
from diklat.store.cohorts import cohort_ref
from schemas import tables as t
from schemas.files import PERSONNEL
from schemas.planning import PlanningRules
from schemas.template import Template
from tasks.common import compute_task, current_run_id, io_task

# Excel opens at most 1,048,576 rows; larger outputs are written as CSV.
XLSX_ROWS = 200_000


@io_task
def read_personnel(path: str) -> RawTable | Blocked:
    """Read the agency's personnel roster."""
    try:
        return read_table(Path(path), PERSONNEL)
    except FileProblem as error:
        return Blocked.from_error(error)


@compute_task
def validate_personnel(table: RawTable, today: date) -> Gated:
    """The roster's reading rules and gate, over the whole file in one validation run."""
    return gate_personnel(table.frame, today)


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
    """Eligible officials without PKP, ranked; graduates recorded in diklat count as trained."""
    with services().unit_of_work() as session:
        trained = set(session.scalars(select(t.Enrolment.nip).join(t.Result).where(t.Result.status == "lulus")))
    return eligible_backlog(gated.accepted, trained, rules, template, as_of)


@io_task
def propose_windows(rules: PlanningRules, template: Template, needed: int, classrooms: int = 1) -> list[date]:
    """Start dates that avoid holidays and campus phases already booked; the next year when the rooms are full.

    Each classroom holds one cohort's classical phases at a time (the workplace phase frees it);
    cohorts already running occupy the first room.
    """
    with services().unit_of_work() as session:
        running = [
            cohort_ref(session, c) for c in session.scalars(select(t.Cohort.id).where(t.Cohort.status == "open"))
        ]
    booked = [
        span
        for ref in running
        for span in classical_spans(ref.template, ref.start_date, days_off_for(ref.template, ref.start_date))
    ]
    rooms: list[list[tuple[date, date]]] = [list(booked)] + [[] for _ in range(classrooms - 1)]
    starts: list[date] = []
    year, earliest = rules.year, rules.earliest_start
    while len(starts) < needed and year < rules.year + 5:
        days_off = days_off_for(template, date(year, 1, 1))
        for avoid in rooms:
            if len(starts) >= needed:
                break
            windows = cohort_windows(template, year, needed - len(starts), days_off, avoid, earliest, rules.gap_days)
            starts += [start for start, _ in windows]
            avoid += [span for start, _ in windows for span in classical_spans(template, start, days_off)]
        year, earliest = year + 1, None
    return sorted(starts)


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
    folder = get_settings().outputs / "rencana" / slug(program)
    suffix = ".xlsx" if len(backlog) <= XLSX_ROWS else ".csv"
    columns = {
        "priority": "PRIORITAS",
        "nip": "NIP",
        "name": "NAMA",
        "golongan": "GOL/RUANG",
        "position": "JABATAN",
        "position_type": "JENIS JABATAN",
        "unit": "UNIT KERJA",
        "years_in_post": "MASA JABATAN (TAHUN)",
        "years_to_retirement": "SISA MASA KERJA (TAHUN)",
        "why": "ALASAN URUTAN",
    }
    backlog_path = write_table(_out(backlog, columns), folder / f"backlog{suffix}")
    members = pd.concat(
        [c.members.assign(start=c.start.isoformat(), end=c.end.isoformat()) for c in plan.cohorts]
        or [pd.DataFrame(columns=["cohort"])]
    )
    plan_columns = {"cohort": "ANGKATAN", "start": "MULAI", "end": "SELESAI", "seat": "KURSI", **columns}
    plan_path = write_table(_out(members, plan_columns), folder / f"rencana{suffix}")
    roster_columns = {
        "nip": "NIP",
        "name": "NAMA",
        "golongan": "GOL/RUANG",
        "position": "JABATAN",
        "unit": "UNIT KERJA",
    }
    rosters = [
        str(write_table(_out(c.members, roster_columns), folder / f"roster-angkatan-{c.number}.xlsx"))
        for c in plan.cohorts
        if len(c.members) <= XLSX_ROWS
    ]
    return PlanFiles(str(backlog_path), str(plan_path), rosters)


def _out(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    present = [c for c in columns if c in frame]
    out = frame[present].rename(columns=columns)
    return out.map(lambda v: str(v) if v is not None and not isinstance(v, int | float | str) else v)
