"""Tasks of the final assessment: grade, certify, recap and close whole chunks of cohorts at once.

Every task takes a list of cohorts (the single-cohort flow passes ``[cohort]``), loads what it needs
with a few set-based queries, groups it once, and writes in one transaction: the number of queries
and task runs grows with cohorts / chunk size, never with participants. Only the exact
per-participant decision (``diklat.domain.grading.decide``) runs in a Python loop.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.grading import Standing, component_mean, decide, rank
from diklat.domain.manifest import ManifestEntry
from diklat.domain.problems import FileProblem, Problem
from diklat.domain.progress import MISSED, PENDING, check_progress
from diklat.domain.scores import ScoreContext
from diklat.gate.evidence import gate_scores, gate_scores_many
from diklat.io.read import RawTable, read_table
from diklat.messages import render
from diklat.report.certificate import CertificateData, render_certificate, render_certificates_archive
from diklat.report.quarantine import masked_problem, write_rejected_file
from diklat.report.recap import RecapMeta, RecapRow, write_recap_pdf, write_recap_xlsx
from diklat.settings import get_settings
from diklat.store import assessment as store
from diklat.store.batches import counts_of
from diklat.store.cohorts import CohortRef
from diklat.store.evidence import save_evidence
from diklat.store.progress import load_inputs
from schemas import tables as t
from schemas.files import ASSESSORS, SCORES
from tasks.cohort_batch import HeldBack
from tasks.common import compute_task, current_run_id, io_task
from tasks.evidence import ACTOR as SCORES_ACTOR  # scores are saved as the single-cohort flow saves them
from tasks.reports import batch_quarantine, cohort_folder, slug

ACTOR = "final-assessment"
PASSED = ("lulus", "lulus_tertunda")


# --- score sheets ---------------------------------------------------------------------------


@io_task
def register_assessors(cohort: CohortRef, table: RawTable) -> int:
    """Examiners who may score the cohort besides its coaches."""
    with services().unit_of_work() as session:
        return store.save_assessors(session, cohort, table.frame)


@io_task
def load_score_context(cohort: CohortRef) -> ScoreContext:
    """What a score sheet is checked against: participants, components, assessors."""
    with services().unit_of_work() as session:
        return store.score_context(session, cohort)


@compute_task
def validate_scores(table: RawTable, ctx: ScoreContext, today: date) -> Gated:
    """The Great Expectations gate for score sheets."""
    return gate_scores(table.frame, ctx, today)


def held_back(entry: ManifestEntry, problem: Problem, kind: str) -> HeldBack:
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
def prepare_score_sheets(cohorts: list[CohortRef], sheets: Sheets) -> SheetPlan:
    """Register examiners, skip sheets already applied, load what the others are checked against."""
    by_id = {c.cohort_id: c for c in cohorts}
    with services().unit_of_work() as session:
        for cohort_id, table in sheets.assessors.items():
            store.save_assessors(session, by_id[cohort_id], table.frame)
        latest = store.latest_batches(session, "scores", [by_id[i].scope for i in sheets.scores])
        done = {}
        for cohort_id, table in sheets.scores.items():
            batch = latest.get(by_id[cohort_id].scope)
            if batch is not None and batch.sha256 == table.sha256:
                done[cohort_id] = counts_of(batch, already=True)
        todo = [by_id[i] for i in sheets.scores if i not in done]
        return SheetPlan(store.score_contexts(session, todo), done)


@compute_task
def validate_score_sheets(sheets: Sheets, plan: SheetPlan, today: dict[int, date]) -> dict[int, Gated]:
    """One Great Expectations run over every score sheet of the chunk still to apply."""
    frames = {i: sheets.scores[i].frame for i in plan.contexts}
    return gate_scores_many(frames, plan.contexts, today)


@dataclass(frozen=True)
class SavedSheet:
    counts: BatchCounts
    rejected_file: str | None


@io_task
def save_score_sheets(cohorts: list[CohortRef], sheets: Sheets, gated: dict[int, Gated]) -> dict[int, SavedSheet]:
    """Upsert the chunk's accepted scores and store its quarantine in one transaction; write files to fix."""
    by_id = {c.cohort_id: c for c in cohorts}
    run_id = current_run_id()
    counts = {}
    with services().unit_of_work() as session:
        for cohort_id, result in gated.items():
            table = sheets.scores[cohort_id]
            counts[cohort_id] = save_evidence(
                session, result, by_id[cohort_id], table.file_name, table.sha256, SCORES_ACTOR, run_id
            )
    out = {}
    for cohort_id, count in counts.items():
        path = None
        if count.rows_quarantined and not count.already_processed:
            path = cohort_folder(by_id[cohort_id]) / f"scores-rejected-batch-{count.batch_id}.xlsx"
            write_rejected_file(batch_quarantine(count.batch_id), sheets.scores[cohort_id].headers, path, "scores")
        out[cohort_id] = SavedSheet(count, None if path is None else str(path))
    return out


# --- grading --------------------------------------------------------------------------------


@dataclass
class Graded:
    """Counts per status, and whom the recap and certificates are for."""

    statuses: dict[str, int]
    changed: int
    incomplete: int
    rows: list[dict] = field(default_factory=list)  # enrolment_id, status, final_score, qualification, rank


@io_task
def grade_cohorts(cohorts: list[CohortRef], as_of: Mapping[int, date], sources: Mapping[int, str]) -> dict[int, Graded]:
    """Decide every participant's result from scores and standing, rank per cohort, and save (audited)."""
    with services().unit_of_work() as session:
        return grade(session, cohorts, as_of, sources)


def grade(
    session: Session, cohorts: list[CohortRef], as_of: Mapping[int, date], sources: Mapping[int, str]
) -> dict[int, Graded]:
    """``grade_cohorts`` inside the caller's unit of work (cohort id -> Graded)."""
    ids = [c.cohort_id for c in cohorts]
    people = store.participants_many(session, ids)
    scores = _scores_by_person(store.load_scores_many(session, ids))
    standing: dict[int, Standing] = {}
    for day in sorted({as_of[i] for i in ids}):
        # Cohorts assessed on the same day share one progress computation (it is vectorised).
        same_day = [c for c in cohorts if as_of[c.cohort_id] == day]
        standing.update(_standing(session, same_day, people[people["cohort_id"].isin(ids_of(same_day))], day))

    seats: dict[int, list[int]] = {i: [] for i in ids}  # cohort -> enrolments in seat order, grouped once
    for cohort_id, enrolment_id in zip(people["cohort_id"].tolist(), people["enrolment_id"].tolist(), strict=True):
        seats[cohort_id].append(enrolment_id)
    rows, source_of, graded = [], {}, {}
    for cohort in cohorts:
        assessment = cohort.template.assessment
        decisions = {e: decide(scores.get(e, {}), standing[e], assessment) for e in seats[cohort.cohort_id]}
        ranks = rank(
            {
                e: d.final_score if d.status in PASSED or d.status == "tidak_lulus" else None
                for e, d in decisions.items()
            }
        )
        mine_rows = [
            store.ResultRow(e, d.final_score, d.qualification, d.status, ranks.get(e), d.explanation)
            for e, d in decisions.items()
        ]
        rows += mine_rows
        source_of.update(dict.fromkeys(decisions, sources[cohort.cohort_id]))
        counts: dict[str, int] = {}
        for d in decisions.values():
            counts[d.status] = counts.get(d.status, 0) + 1
        graded[cohort.cohort_id] = Graded(
            counts,
            0,
            counts.get("belum_lengkap", 0),
            [
                {
                    "enrolment_id": r.enrolment_id,
                    "status": r.status,
                    "final_score": r.final_score,
                    "qualification": r.qualification,
                    "rank": r.rank,
                }
                for r in mine_rows
            ],
        )
    changed = store.save_results_changed(session, rows, ACTOR, source_of)
    cohort_of = {e: cohort_id for cohort_id, enrolments in seats.items() for e in enrolments}
    for enrolment_id in changed:
        graded[cohort_of[enrolment_id]].changed += 1
    return graded


def ids_of(cohorts: list[CohortRef]) -> list[int]:
    return [c.cohort_id for c in cohorts]


def _scores_by_person(scores: pd.DataFrame) -> dict[int, dict[str, list[Decimal]]]:
    """enrolment id -> component -> assessor scores, in one pass over the chunk's scores."""
    out: dict[int, dict[str, list[Decimal]]] = {}
    for enrolment_id, component, score in zip(
        scores["enrolment_id"].tolist(), scores["component"].tolist(), scores["score"].tolist(), strict=True
    ):
        out.setdefault(enrolment_id, {}).setdefault(component, []).append(Decimal(score))
    return out


def _standing(session: Session, cohorts: list[CohortRef], people: pd.DataFrame, as_of: date) -> dict[int, Standing]:
    """Attendance and milestones at the assessment date, from the same rules as the daily check."""
    progress = check_progress(load_inputs(session, cohorts, as_of), as_of)
    milestones = pd.DataFrame(
        store.rows_in(
            session,
            select(t.Milestone.id, t.Milestone.code, t.Milestone.kind, t.Milestone.required),
            t.Milestone.cohort_id,
            ids_of(cohorts),
        ),
        columns=["milestone_id", "code", "milestone_kind", "required"],
    )
    statuses = progress.statuses.merge(milestones, on="milestone_id", how="left")  # keeps the statuses' order
    counted = statuses["required"].astype(bool) & ~statuses["milestone_kind"].isin(("attendance", "assessment"))
    statuses = statuses[counted]
    owed = (statuses["reason"] == "deliverable.revision_overdue") | (
        (statuses["status"] == PENDING) & (statuses["milestone_kind"] != "coaching")
    )
    missed = ~owed & (statuses["status"] == MISSED)
    owed_codes = _codes(statuses[owed])
    missed_codes = _codes(statuses[missed])
    figures = progress.participants
    unreachable = dict(zip(figures["enrolment_id"].tolist(), figures["unreachable"].tolist(), strict=True))
    return {
        e: Standing(
            withdrawn=status == "withdrawn",
            attendance_met=not bool(unreachable.get(e, False)),
            missing_components=(),
            missed_required=missed_codes.get(e, ()),
            revisions_owed=owed_codes.get(e, ()),
            deferral_cleared=cleared is not None and not pd.isna(cleared),
        )
        for e, status, cleared in zip(
            people["enrolment_id"].tolist(),
            people["status"].tolist(),
            people["deferral_cleared_on"].tolist(),
            strict=True,
        )
    }


def _codes(statuses: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """enrolment id -> milestone codes, in the order the progress rules listed them."""
    out: dict[int, list[str]] = {}
    for enrolment_id, code in zip(statuses["enrolment_id"].tolist(), statuses["code"].tolist(), strict=True):
        out.setdefault(int(enrolment_id), []).append(code)
    return {e: tuple(codes) for e, codes in out.items()}


# --- certificates, recap, closing -----------------------------------------------------------


@dataclass
class Certificates:
    reserved: int
    issued: int
    reissued: int
    archive: str | None
    files: list[str]


@io_task
def issue_certificates(
    cohorts: list[CohortRef], graded: Mapping[int, Graded], issued_on: Mapping[int, date], documents: bool = True
) -> dict[int, Certificates]:
    """Reserve a number for every pass (deferred too); issue final passes; re-issue on changes; revoke the rest.

    With ``documents`` off only the records are written (numbers, versions, verification codes):
    a PDF takes ~40 ms, so 100,000 of them would take over an hour; render them later per cohort.
    """
    settings = get_settings()
    ids = ids_of(cohorts)
    passes = [(c, [r["enrolment_id"] for r in graded[c.cohort_id].rows if r["status"] in PASSED]) for c in cohorts]
    with services().unit_of_work() as session:
        reserved = store.reserve_certificates_many(
            session, passes, {c.cohort_id: slug(c.programme).upper() for c in cohorts}
        )
        people = {p["enrolment_id"]: p for p in store.participants_many(session, ids).to_dict("records")}
        finals: list[tuple[CohortRef, dict]] = [
            (c, r) for c in cohorts for r in graded[c.cohort_id].rows if r["status"] == "lulus"
        ]
        shas = {r["enrolment_id"]: _content_sha(c, people[r["enrolment_id"]], r) for c, r in finals}
        days = {r["enrolment_id"]: issued_on[c.cohort_id] for c, r in finals}
        issued = store.issue_many(session, shas, days, ACTOR)
        store.revoke_other_certificates(session, ids, [e for _, passed in passes for e in passed], ACTOR)

    out = {c.cohort_id: Certificates(reserved.get(c.cohort_id, 0), 0, 0, None, []) for c in cohorts}
    items: dict[int, list[tuple[CertificateData, Path]]] = {i: [] for i in ids}
    for cohort, row in finals:
        cert, person = issued[row["enrolment_id"]], people[row["enrolment_id"]]
        summary = out[cohort.cohort_id]
        summary.issued += cert.first_issue
        summary.reissued += cert.reissue
        if documents:
            data = _certificate_data(cohort, person, row, cert, settings)
            path = cohort_folder(cohort) / "sttp" / f"{slug(cert.number)}-v{cert.version}.pdf"
            items[cohort.cohort_id].append((data, path))
    for cohort in cohorts:
        mine = items[cohort.cohort_id]
        for data, path in mine:
            render_certificate(data, path)
        if mine:
            archive = render_certificates_archive(mine, cohort_folder(cohort) / "sttp" / "sttp-all.zip")
            out[cohort.cohort_id].archive = str(archive)
        out[cohort.cohort_id].files = [str(p) for _, p in mine]
    return out


def _content_sha(cohort: CohortRef, person: dict, row: dict) -> str:
    """Fingerprint of what the certificate prints: a change makes a new version, nothing else does."""
    content = {
        "name": person["name"],
        "nip": person["nip"],
        "golongan": person["golongan"],
        "position": person["position"],
        "unit": person["unit"],
        "programme": cohort.programme,
        "cohort": cohort.label,
        "qualification": row["qualification"],
        "final_score": str(row["final_score"]),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _certificate_data(cohort: CohortRef, person: dict, row: dict, cert: store.Issued, settings) -> CertificateData:  # noqa: ANN001
    return CertificateData(
        number=cert.number,
        version=cert.version,
        verification_code=cert.verification_code,
        name=person["name"],
        nip=person["nip"],
        golongan=person["golongan"],
        position=person["position"],
        unit=person["unit"],
        programme=cohort.programme,
        cohort_label=cohort.label,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        jp=sum(p.jp for p in cohort.template.phases),
        qualification=row["qualification"],
        final_score=row["final_score"],
        issued_on=cert.issued_on,
        agency=settings.agency,
        place=settings.place,
        signatory_name=settings.signatory_name,
        signatory_title=settings.signatory_title,
        signatory_nip=settings.signatory_nip,
    )


@io_task
def write_recaps(cohorts: list[CohortRef], graded: Mapping[int, Graded]) -> dict[int, list[str]]:
    """The rekap nilai (XLSX and PDF) of each cohort."""
    settings = get_settings()
    ids = ids_of(cohorts)
    with services().unit_of_work() as session:
        people = {p["enrolment_id"]: p for p in store.participants_many(session, ids).to_dict("records")}
        scores = _scores_by_person(store.load_scores_many(session, ids))
    out = {}
    for cohort in cohorts:
        assessment = cohort.template.assessment
        rows = []
        for r in graded[cohort.cohort_id].rows:
            mine = scores.get(r["enrolment_id"], {})
            components = {
                c.code: _two(component_mean(mine[c.code])) if mine.get(c.code) else None for c in assessment.components
            }
            person = people[r["enrolment_id"]]
            rows.append(
                RecapRow(
                    r["rank"],
                    person["nip"],
                    person["name"],
                    components,
                    r["final_score"],
                    r["qualification"],
                    r["status"],
                )
            )
        meta = RecapMeta(
            settings.agency,
            cohort.programme,
            cohort.label,
            cohort.start_date,
            cohort.end_date,
            [(c.code, c.title, c.weight) for c in assessment.components],
        )
        folder = cohort_folder(cohort)
        out[cohort.cohort_id] = [
            str(write_recap_xlsx(meta, rows, folder / "rekap-nilai.xlsx")),
            str(write_recap_pdf(meta, rows, folder / "rekap-nilai.pdf")),
        ]
    return out


@io_task
def close_if_complete(cohorts: list[CohortRef], graded: Mapping[int, Graded]) -> dict[int, bool]:
    """A cohort whose every participant has a decision is closed: it stops being checked daily."""
    complete = [c for c in cohorts if not graded[c.cohort_id].incomplete]
    with services().unit_of_work() as session:
        store.close_cohorts(session, ids_of(complete), ACTOR)
    return {c.cohort_id: not graded[c.cohort_id].incomplete for c in cohorts}


def _two(value) -> Decimal:  # noqa: ANN001
    """A component mean shown on the recap: 2 decimals, half-up (the final score is computed exactly)."""
    from decimal import ROUND_HALF_UP

    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
