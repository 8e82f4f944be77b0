"""Tasks of the final assessment: grade the whole cohort at once, issue certificates, write the recap."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from diklat.db.uow import unit_of_work
from diklat.domain.grading import Standing, decide, rank
from diklat.domain.progress import MISSED, PENDING, check_progress
from diklat.domain.scores import ScoreContext
from diklat.gate.evidence import gate_scores
from diklat.gate.roster import Gated
from diklat.io.read import RawTable
from diklat.report.certificate import CertificateData, render_certificate, render_certificates_archive
from diklat.report.recap import RecapMeta, RecapRow, write_recap_pdf, write_recap_xlsx
from diklat.settings import get_settings
from diklat.store import assessment as store
from diklat.store.cohorts import CohortRef
from diklat.store.progress import load_inputs
from schemas import tables as t
from tasks.common import compute_task, io_task
from tasks.reports import cohort_folder, slug

ACTOR = "final-assessment"
PASSED = ("lulus", "lulus_tertunda")


@io_task
def register_assessors(cohort: CohortRef, table: RawTable) -> int:
    """Examiners who may score the cohort besides its coaches."""
    with unit_of_work() as session:
        return store.save_assessors(session, cohort, table.frame)


@io_task
def load_score_context(cohort: CohortRef) -> ScoreContext:
    with unit_of_work() as session:
        return store.score_context(session, cohort)


@compute_task
def validate_scores(table: RawTable, ctx: ScoreContext, today: date) -> Gated:
    """The Great Expectations gate for score sheets."""
    return gate_scores(table.frame, ctx, today)


@dataclass
class Graded:
    """Counts per status, and whom the recap and certificates are for."""

    statuses: dict[str, int]
    changed: int
    incomplete: int
    rows: list[dict] = field(default_factory=list)  # enrolment_id, status, final_score, qualification, rank


@io_task
def grade_cohort(cohort: CohortRef, as_of: date, source: str) -> Graded:
    """Decide every participant's result from scores and standing, rank, and save (audited)."""
    assessment = cohort.template.assessment
    with unit_of_work() as session:
        people = store.participants(session, cohort.cohort_id)
        scores = store.load_scores(session, cohort.cohort_id)
        standing = _standing(session, cohort, people, as_of)
        decisions = {}
        for person in people.itertuples(index=False):
            mine = scores[scores["enrolment_id"] == person.enrolment_id]
            by_component = {c: [Decimal(s) for s in g["score"]] for c, g in mine.groupby("component")}
            decisions[person.enrolment_id] = decide(by_component, standing[person.enrolment_id], assessment)
        ranks = rank(
            {
                e: d.final_score if d.status in PASSED or d.status == "tidak_lulus" else None
                for e, d in decisions.items()
            }
        )
        rows = [
            store.ResultRow(e, d.final_score, d.qualification, d.status, ranks.get(e), d.explanation)
            for e, d in decisions.items()
        ]
        changed = store.save_results(session, rows, ACTOR, source)
    counts: dict[str, int] = {}
    for d in decisions.values():
        counts[d.status] = counts.get(d.status, 0) + 1
    return Graded(
        counts,
        changed,
        counts.get("belum_lengkap", 0),
        [
            {
                "enrolment_id": r.enrolment_id,
                "status": r.status,
                "final_score": r.final_score,
                "qualification": r.qualification,
                "rank": r.rank,
            }
            for r in rows
        ],
    )


def _standing(session, cohort: CohortRef, people, as_of: date) -> dict[int, Standing]:  # noqa: ANN001
    """Attendance and milestones at the assessment date, from the same rules as the daily check."""
    progress = check_progress(load_inputs(session, [cohort], as_of), as_of)
    milestones = {
        m.id: m for m in session.scalars(select(t.Milestone).where(t.Milestone.cohort_id == cohort.cohort_id))
    }
    figures = progress.participants.set_index("enrolment_id")
    out = {}
    for person in people.itertuples(index=False):
        mine = progress.statuses[progress.statuses["enrolment_id"] == person.enrolment_id]
        owed, missed = [], []
        for row in mine.itertuples(index=False):
            ms = milestones[row.milestone_id]
            if not ms.required or ms.kind in ("attendance", "assessment"):
                continue
            if row.reason == "deliverable.revision_overdue" or (row.status == PENDING and ms.kind != "coaching"):
                owed.append(ms.code)
            elif row.status == MISSED:
                missed.append(ms.code)
        unreachable = bool(figures["unreachable"].get(person.enrolment_id, False)) if len(figures) else False
        out[person.enrolment_id] = Standing(
            withdrawn=person.status == "withdrawn",
            attendance_met=not unreachable,
            missing_components=(),
            missed_required=tuple(missed),
            revisions_owed=tuple(owed),
            deferral_cleared=person.deferral_cleared_on is not None,
        )
    return out


@dataclass
class Certificates:
    reserved: int
    issued: int
    reissued: int
    archive: str | None
    files: list[str]


@io_task
def issue_certificates(cohort: CohortRef, graded: Graded, issued_on: date) -> Certificates:
    """Reserve a number for every pass (deferred too); issue PDFs for final passes; re-issue on changes."""
    settings = get_settings()
    folder = cohort_folder(cohort) / "sttp"
    passed = [r["enrolment_id"] for r in graded.rows if r["status"] in PASSED]
    final = {r["enrolment_id"]: r for r in graded.rows if r["status"] == "lulus"}
    items, issued, reissued = [], 0, 0
    with unit_of_work() as session:
        reserved = store.reserve_certificates(session, cohort, passed, slug(cohort.programme).upper())
        session.flush()
        people = store.participants(session, cohort.cohort_id).set_index("enrolment_id")
        jp = sum(p.jp for p in cohort.template.phases)
        for enrolment_id, row in final.items():
            person = people.loc[enrolment_id]
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
            sha = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
            before = session.scalar(select(t.Certificate).where(t.Certificate.enrolment_id == enrolment_id))
            was = (before.issued_on, before.version)
            cert = store.issue(session, enrolment_id, sha, issued_on, ACTOR)
            issued += was[0] is None
            reissued += was[0] is not None and cert.version != was[1]
            data = CertificateData(
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
                jp=jp,
                qualification=row["qualification"],
                final_score=row["final_score"],
                issued_on=cert.issued_on,
                agency=settings.agency,
                place=settings.place,
                signatory_name=settings.signatory_name,
                signatory_title=settings.signatory_title,
                signatory_nip=settings.signatory_nip,
            )
            items.append((data, folder / f"{slug(cert.number)}-v{cert.version}.pdf"))
        revoked = session.scalars(
            select(t.Certificate)
            .join(t.Enrolment)
            .where(
                t.Enrolment.cohort_id == cohort.cohort_id,
                t.Certificate.enrolment_id.not_in(passed),
                t.Certificate.revoked.is_(False),
            )
        ).all()
        for cert in revoked:  # no longer a pass after a correction: the certificate stops verifying
            cert.revoked = True
            store.audit(session, ACTOR, "revoke", "certificate", cert.number, {"revoked": False}, {"revoked": True})
    for data, path in items:
        render_certificate(data, path)
    archive = render_certificates_archive(items, folder / "sttp-all.zip") if items else None
    return Certificates(
        reserved, issued, reissued, None if archive is None else str(archive), [str(p) for _, p in items]
    )


@io_task
def write_recap(cohort: CohortRef, graded: Graded) -> list[str]:
    """The rekap nilai (XLSX and PDF) of the cohort."""
    settings = get_settings()
    assessment = cohort.template.assessment
    with unit_of_work() as session:
        people = store.participants(session, cohort.cohort_id).set_index("enrolment_id")
        scores = store.load_scores(session, cohort.cohort_id)
    from diklat.domain.grading import component_mean

    rows = []
    for r in graded.rows:
        mine = scores[scores["enrolment_id"] == r["enrolment_id"]]
        components = {}
        for c in assessment.components:
            values = [Decimal(s) for s in mine.loc[mine["component"] == c.code, "score"]]
            components[c.code] = _two(component_mean(values)) if values else None
        person = people.loc[r["enrolment_id"]]
        rows.append(
            RecapRow(
                r["rank"], person["nip"], person["name"], components, r["final_score"], r["qualification"], r["status"]
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
    return [
        str(write_recap_xlsx(meta, rows, folder / "rekap-nilai.xlsx")),
        str(write_recap_pdf(meta, rows, folder / "rekap-nilai.pdf")),
    ]


@io_task
def close_if_complete(cohort: CohortRef, graded: Graded) -> bool:
    """A cohort whose every participant has a decision is closed: it stops being checked daily."""
    if graded.incomplete:
        return False
    with unit_of_work() as session:
        row = session.get(t.Cohort, cohort.cohort_id)
        if row.status != "closed":
            row.status = "closed"
            store.audit(session, ACTOR, "close", "cohort", cohort.label, {"status": "open"}, {"status": "closed"})
    return True


def _two(value) -> Decimal:  # noqa: ANN001
    """A component mean shown on the recap: 2 decimals, half-up (the final score is computed exactly)."""
    from decimal import ROUND_HALF_UP

    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
