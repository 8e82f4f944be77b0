"""The three designs the benchmark compares, stage by stage.

* **floor**: the same computation with no orchestrator: the tasks' plain functions (``task.fn``),
  called in the same order as the flow calls them, straight against pandas and SQL.
* **orchestrated**: diklat's flows on a Prefect server, as operators run them.
* **naive**: one Prefect task per participant (what the brief warns against), at small sizes only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from bench.measure import run_flow

TODAY = date(2022, 7, 14)


# -- opening ---------------------------------------------------------------------------------------


def open_floor(program: str, manifest: Path) -> int:
    """open-cohorts without Prefect; returns the rows read."""
    from diklat.settings import get_settings
    from diklat.templates import resolve_template
    from tasks.cohort_batch import (
        prepare_cohorts,
        read_cohort_list,
        read_rosters,
        save_cohorts,
        validate_rosters,
    )
    from tasks.intake import write_rejected_files

    template = resolve_template("PKP")
    entries = read_cohort_list.fn(str(manifest), ("start", "roster"))
    size = get_settings().cohorts_per_task
    opened = []
    for first in range(0, len(entries), size):
        part = entries[first : first + size]
        rosters = read_rosters.fn(part)
        chunk = prepare_cohorts.fn(program, part, rosters, template)
        screened = validate_rosters.fn(rosters, chunk, part, TODAY)
        opened += save_cohorts.fn(screened.gated, rosters, chunk, screened.coaches)
    write_rejected_files(opened)
    return sum(c.counts.rows_read for c in opened)


def open_orchestrated(program: str, manifest: Path) -> tuple[int, int]:
    """The open-cohorts flow; returns rows read and task runs."""
    from flows.open_cohorts import open_cohorts
    from schemas.params import OpenCohorts

    summary, runs = run_flow(open_cohorts, OpenCohorts(program=program, manifest=str(manifest), today=TODAY))
    return summary.rows_read, runs


@task(cache_policy=NO_CACHE)
def enrol_one(program: str, number: int, start: date, row: dict, file_name: str) -> int:
    """The naive unit of work: one participant read, gated and enrolled on its own."""
    import hashlib

    from diklat.bootstrap import services
    from diklat.gate.roster import gate_roster
    from diklat.gate.suites import RosterRules
    from diklat.store import cohorts, guides
    from diklat.store.calendar import write_calendar
    from diklat.store.roster import save_roster
    from diklat.templates import resolve_template

    template = resolve_template("PKP")
    with services().unit_of_work() as session:
        ref = cohorts.ensure_cohort(session, program, number, start, template, "naive")
        rules = RosterRules(
            template.minimum_golongan,
            template.capacity,
            cohorts.enrolled_nips(session, ref.cohort_id),
            cohorts.running_enrolments_elsewhere(session, ref.cohort_id),
            ref.label,
        )
        gated = gate_roster(pd.DataFrame([row]), rules, TODAY)
        sha = hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()
        save_roster(session, gated, ref, file_name, sha, "naive")
        superiors = dict(zip(gated.accepted["nip"], gated.accepted["superior_nip"], strict=True))
        guides.save_guides(session, ref, superiors, None, "naive")
        write_calendar(session, ref)
    return len(gated.accepted)


@flow(name="naive-open")
def naive_open(program: str, manifest: str) -> int:
    """One task per participant (sequential: SQLite takes one writer at a time anyway)."""
    from diklat.io.read import read_table
    from schemas.files import ROSTER
    from tasks.cohort_batch import read_cohort_list

    rows = 0
    for entry in read_cohort_list.fn(manifest, ("start", "roster")):
        table = read_table(Path(entry.roster), ROSTER)
        for row in table.frame.to_dict("records"):
            enrol_one(program, entry.cohort, entry.start, row, table.file_name)
            rows += 1
    return rows


def open_naive(program: str, manifest: Path) -> tuple[int, int]:
    return run_flow(naive_open, program, str(manifest))


# -- the daily check -------------------------------------------------------------------------------


def check_floor(as_of: date) -> int:
    """check-milestones without Prefect; returns the participants checked."""
    from diklat.settings import get_settings
    from tasks.milestones import check_cohorts, find_running_cohorts

    refs = find_running_cohorts.fn(as_of, None, None)
    size = get_settings().cohorts_per_task
    return sum(
        c.participants
        for first in range(0, len(refs), size)
        for c in check_cohorts.fn([r.cohort_id for r in refs[first : first + size]], as_of, False).cohorts
    )


def check_orchestrated(as_of: date) -> tuple[int, int]:
    from flows.check_milestones import check_milestones
    from schemas.params import CheckMilestones

    summary, runs = run_flow(check_milestones, CheckMilestones(as_of=as_of, notify=False))
    return sum(c.participants for c in summary.cohorts), runs


@task(cache_policy=NO_CACHE)
def check_one(cohort_id: int, enrolment_id: int, as_of: date) -> int:
    """The naive unit of work: one participant's milestones decided and recorded on their own."""
    from diklat.bootstrap import services
    from diklat.domain.progress import check_progress
    from diklat.store.cohorts import cohort_ref
    from diklat.store.progress import append_history, load_inputs

    with services().unit_of_work() as session:
        ref = cohort_ref(session, cohort_id)
        progress = check_progress(load_inputs(session, [ref], as_of), as_of)
        mine = progress.statuses[progress.statuses["enrolment_id"] == enrolment_id]
        append_history(session, mine, [cohort_id], as_of)
    return len(mine)


@flow(name="naive-check")
def naive_check(as_of: date) -> int:
    from sqlalchemy import select

    from diklat.bootstrap import services
    from schemas import tables as t

    with services().unit_of_work() as session:
        people = session.execute(
            select(t.Enrolment.cohort_id, t.Enrolment.id)
            .join(t.Cohort)
            .where(t.Cohort.status == "open", t.Enrolment.status == "active")
        ).all()
    for cohort_id, enrolment_id in people:
        check_one(cohort_id, enrolment_id, as_of)
    return len(people)


def check_naive(as_of: date) -> tuple[int, int]:
    return run_flow(naive_check, as_of)


# -- the final assessment --------------------------------------------------------------------------


def assess_floor(program: str, manifest: Path) -> int:
    """assess-cohorts (documents off) without Prefect; returns the participants graded."""
    from diklat.settings import get_settings
    from tasks.certificates import issue_certificates
    from tasks.cohort_batch import read_cohort_list
    from tasks.grading import grade_cohorts
    from tasks.graduation import close_if_complete, find_cohorts
    from tasks.scores import (
        SavedSheet,
        prepare_score_sheets,
        read_score_sheets,
        save_score_sheets,
        validate_score_sheets,
    )

    entries = read_cohort_list.fn(str(manifest), ("scores",))
    found = find_cohorts.fn(program, [e.cohort for e in entries])
    known = [(e, found[e.cohort]) for e in entries if e.cohort in found]
    size = get_settings().cohorts_per_task
    graded_rows = 0
    for first in range(0, len(known), size):
        part = known[first : first + size]
        sheets = read_score_sheets.fn(part)
        ready = [ref for _, ref in part if ref.cohort_id in sheets.scores]
        as_of = {c.cohort_id: c.end_date for c in ready}
        plan = prepare_score_sheets.fn(ready, sheets, as_of)
        screened = validate_score_sheets.fn(sheets, plan, as_of, part)
        saved = {i: SavedSheet(c, None) for i, c in plan.done.items()} | save_score_sheets.fn(
            ready, sheets, screened.gated
        )
        ready = [c for c in ready if c.cohort_id in saved]
        sources = {
            c.cohort_id: f"{sheets.scores[c.cohort_id].file_name} (batch {saved[c.cohort_id].counts.batch_id})"
            for c in ready
        }
        # finish_cohorts' steps, documents off (no recaps), as plain functions
        graded = grade_cohorts.fn(ready, as_of, sources)
        issue_certificates.fn(ready, graded, as_of, False)
        close_if_complete.fn(ready, graded)
        graded_rows += sum(len(g.rows) for g in graded.values())
    return graded_rows


def assess_orchestrated(program: str, manifest: Path) -> tuple[int, int]:
    from flows.assess_cohorts import assess_cohorts
    from schemas.params import AssessCohorts

    summary, runs = run_flow(assess_cohorts, AssessCohorts(program=program, manifest=str(manifest), documents=False))
    return sum(len(c.graded.rows) for c in summary.assessed), runs
