"""Tasks of the final assessment's score sheets: read, register examiners, gate, save whole chunks at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.manifest import ManifestEntry
from diklat.domain.problems import Blocked, FileProblem, Problem
from diklat.domain.scores import ScoreContext
from diklat.gate.evidence import gate_scores, gate_scores_many
from diklat.gate.staff import gate_staff
from diklat.io.read import RawTable, read_table
from diklat.messages import render
from diklat.report.quarantine import blocked_text, masked_problem, write_rejected_file
from diklat.store import scores as store
from diklat.store.batches import CohortFile, new_quarantine
from diklat.store.cohorts import CohortRef
from diklat.store.evidence import save_evidence_many
from diklat.store.staff import save_staff_lists
from schemas.files import ASSESSORS, SCORES
from tasks.cohort_batch import HeldBack, Screened
from tasks.common import compute_task, current_run_id, gate_whole_file, io_task, refuse_mostly_invalid
from tasks.evidence import ACTOR  # scores are saved as the single-cohort flow saves them
from tasks.reports import cohort_folder


@io_task
def register_assessors(cohort: CohortRef, examiners: Gated) -> int:
    """Examiners the gate accepted may score the cohort besides its coaches."""
    with services().unit_of_work() as session:
        return store.save_assessors(session, cohort, examiners.accepted)


@io_task
def load_score_context(cohort: CohortRef) -> ScoreContext:
    """What a score sheet is checked against: participants, components, assessors."""
    with services().unit_of_work() as session:
        return store.score_context(session, cohort)


@compute_task
def validate_scores(table: RawTable, ctx: ScoreContext, today: date) -> Gated | Blocked:
    """The Great Expectations gate for score sheets (a sheet of mostly unusable rows is refused: no grading)."""
    return gate_whole_file(table.frame, lambda f: gate_scores(f, ctx, today), table.file_name)


def held_back(entry: ManifestEntry, problem: Problem, kind: str) -> HeldBack:
    """A cohort of the list left out, with the operator's reason (NIPs masked)."""
    return HeldBack(entry.cohort, entry.row_number, render(masked_problem(problem), kind))


@dataclass(frozen=True)
class Sheets:
    """A chunk's score sheets (and optional assessors files), read, by cohort id."""

    scores: dict[int, RawTable]
    assessors: dict[int, RawTable]
    held: list[HeldBack]


@io_task
def read_score_sheets(entries: list[tuple[ManifestEntry, CohortRef]]) -> Sheets:
    """Read each cohort's score sheet (and assessors file); an unusable file holds back its cohort only."""
    scores, assessors, held = {}, {}, []
    shared: dict[str, RawTable] = {}  # one examiners' list is often given for every cohort
    for entry, cohort in entries:
        try:
            if entry.assessors:
                if entry.assessors not in shared:
                    shared[entry.assessors] = read_table(Path(entry.assessors), ASSESSORS)
                assessors[cohort.cohort_id] = shared[entry.assessors]
            scores[cohort.cohort_id] = read_table(Path(entry.scores), SCORES)
        except FileProblem as error:  # neither file is used: examiners without their sheet change nothing
            assessors.pop(cohort.cohort_id, None)
            held.append(held_back(entry, error.problem, "scores"))
    return Sheets(scores, assessors, held)


@dataclass(frozen=True)
class SheetPlan:
    """What the gate needs for the sheets still to apply, and the counts of those applied before."""

    contexts: dict[int, ScoreContext]
    done: dict[int, BatchCounts]  # the same file was already the cohort's latest: nothing to do


@io_task
def prepare_score_sheets(cohorts: list[CohortRef], sheets: Sheets, today: dict[int, date]) -> SheetPlan:
    """Gate and register examiners, skip sheets already applied, load what the others are checked against.

    An examiners list shared by many cohorts goes through the gate once; each cohort records it (its
    quarantined rows and rejected-rows file too), and registers only the examiners accepted.
    """
    by_id = {c.cohort_id: c for c in cohorts}
    gated: dict[str, Gated] = {}
    for cohort_id, table in sheets.assessors.items():
        if table.sha256 not in gated:
            gated[table.sha256] = gate_staff("assessors", table.frame, today[cohort_id])
    with services().unit_of_work() as session:
        lists = [
            CohortFile(gated[table.sha256], by_id[cohort_id], table.file_name, table.sha256)
            for cohort_id, table in sheets.assessors.items()
        ]
        recorded = save_staff_lists(session, lists, current_run_id())
        store.save_assessors_many(session, [(f.cohort, f.gated.accepted) for f in lists])
        quarantined = new_quarantine(session, recorded)
        for (cohort_id, table), counts in zip(sheets.assessors.items(), recorded, strict=True):
            if counts.batch_id in quarantined:
                path = cohort_folder(by_id[cohort_id]) / f"assessors-rejected-batch-{counts.batch_id}.xlsx"
                write_rejected_file(quarantined[counts.batch_id], table.headers, path, "assessors")
        done = store.applied_sheets(session, {i: (by_id[i].scope, table.sha256) for i, table in sheets.scores.items()})
        todo = [by_id[i] for i in sheets.scores if i not in done]
        return SheetPlan(store.score_contexts(session, todo), done)


@compute_task
def validate_score_sheets(
    sheets: Sheets, plan: SheetPlan, today: dict[int, date], entries: list[tuple[ManifestEntry, CohortRef]]
) -> Screened:
    """One Great Expectations run over every score sheet of the chunk still to apply.

    A sheet of mostly unusable rows is refused whole: its cohort is held back, and nobody in it is
    graded from the few rows that happened to pass.
    """
    frames = {i: sheets.scores[i].frame for i in plan.contexts}
    gated, held = {}, []
    rows = {ref.cohort_id: entry for entry, ref in entries}
    for cohort_id, one in gate_scores_many(frames, plan.contexts, today).items():
        screened = refuse_mostly_invalid(one, sheets.scores[cohort_id].file_name)
        if isinstance(screened, Blocked):
            entry = rows[cohort_id]
            held.append(HeldBack(entry.cohort, entry.row_number, blocked_text(screened, "scores")))
        else:
            gated[cohort_id] = screened
    return Screened(gated, held)


@dataclass(frozen=True)
class SavedSheet:
    counts: BatchCounts
    rejected_file: str | None


@io_task
def save_score_sheets(cohorts: list[CohortRef], sheets: Sheets, gated: dict[int, Gated]) -> dict[int, SavedSheet]:
    """Upsert the chunk's accepted scores and store its quarantine in one transaction; write files to fix."""
    by_id = {c.cohort_id: c for c in cohorts}
    run_id = current_run_id()
    with services().unit_of_work() as session:
        files = [
            CohortFile(result, by_id[i], sheets.scores[i].file_name, sheets.scores[i].sha256)
            for i, result in gated.items()
        ]
        counts = dict(zip(gated, save_evidence_many(session, files, ACTOR, run_id), strict=True))
        rejected = new_quarantine(session, counts.values())
    out = {}
    for cohort_id, count in counts.items():
        path = None
        if count.batch_id in rejected:
            path = cohort_folder(by_id[cohort_id]) / f"scores-rejected-batch-{count.batch_id}.xlsx"
            write_rejected_file(rejected[count.batch_id], sheets.scores[cohort_id].headers, path, "scores")
        out[cohort_id] = SavedSheet(count, None if path is None else str(path))
    return out
