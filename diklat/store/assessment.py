"""What the final assessment reads and writes: assessors, standing, results, certificates."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.domain.evidence import stage_code
from diklat.domain.scores import ScoreContext
from diklat.store.audit import audit, audit_many
from diklat.store.cohorts import CohortRef
from schemas import tables as t


def score_context(session: Session, cohort: CohortRef) -> ScoreContext:
    """Participants, the template's components (by code or title), and known assessors (NIP or name)."""
    assessment = cohort.template.assessment
    components = {}
    for c in assessment.components:
        components[stage_code(c.code)] = c.code
        components[stage_code(c.title)] = c.code
    people = session.execute(
        select(t.Assignment.person_nip, t.Assignment.person_name)
        .join(t.Enrolment)
        .where(t.Enrolment.cohort_id == cohort.cohort_id)
    ).all()
    people += session.execute(
        select(t.Assessor.nip, t.Assessor.name).where(t.Assessor.cohort_id == cohort.cohort_id)
    ).all()
    assessors: dict[str, str] = {}
    for nip, name in people:
        assessors[nip] = nip
        if name:
            assessors[name.strip().casefold()] = nip
    nips = session.scalars(select(t.Enrolment.nip).where(t.Enrolment.cohort_id == cohort.cohort_id))
    return ScoreContext(frozenset(nips), components, assessors, assessment.score_min, assessment.score_max)


def save_assessors(session: Session, cohort: CohortRef, frame: pd.DataFrame) -> int:
    """Register examiners who may score this cohort (names updated, nobody removed)."""
    rows = [
        {"cohort_id": cohort.cohort_id, "nip": r.nip, "name": r.name}
        for r in frame.dropna(subset=["nip", "name"]).itertuples(index=False)
    ]
    upsert(session, t.Assessor.__table__, rows, ["cohort_id", "nip"], update=["name"])
    return len(rows)


def load_scores(session: Session, cohort_id: int) -> pd.DataFrame:
    return pd.DataFrame(
        session.execute(
            select(t.Score.enrolment_id, t.Score.component, t.Score.assessor, t.Score.score)
            .join(t.Enrolment)
            .where(t.Enrolment.cohort_id == cohort_id)
        ).all(),
        columns=["enrolment_id", "component", "assessor", "score"],
    )


def participants(session: Session, cohort_id: int) -> pd.DataFrame:
    return pd.DataFrame(
        session.execute(
            select(
                t.Enrolment.id,
                t.Enrolment.nip,
                t.Enrolment.status,
                t.Employee.name,
                t.Employee.golongan,
                t.Employee.position,
                t.Employee.unit,
                t.Result.deferral_cleared_on,
            )
            .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
            .outerjoin(t.Result, t.Result.enrolment_id == t.Enrolment.id)
            .where(t.Enrolment.cohort_id == cohort_id)
            .order_by(t.Enrolment.seat)
        ).all(),
        columns=["enrolment_id", "nip", "status", "name", "golongan", "position", "unit", "deferral_cleared_on"],
    )


@dataclass(frozen=True)
class ResultRow:
    enrolment_id: int
    final_score: Decimal | None
    qualification: str | None
    status: str
    rank: int | None
    explanation: dict[str, Any]


def save_results(session: Session, rows: list[ResultRow], actor: str, source: str) -> int:
    """Upsert results; every change of score, band, status or rank is audited. Returns rows changed."""
    fields = ("final_score", "qualification", "status", "rank")
    existing = {
        r.enrolment_id: r
        for r in session.scalars(select(t.Result).where(t.Result.enrolment_id.in_([row.enrolment_id for row in rows])))
    }
    changed, audits = [], []
    for row in rows:
        old = existing.get(row.enrolment_id)
        new = {f: getattr(row, f) for f in fields}
        if old is not None and all(getattr(old, f) == new[f] for f in fields) and old.explanation == row.explanation:
            continue
        audits.append(
            {
                "actor": actor,
                "action": "grade" if old is None else "regrade",
                "entity": "result",
                "entity_key": str(row.enrolment_id),
                "old_value": None if old is None else {f: _text(getattr(old, f)) for f in fields},
                "new_value": {f: _text(new[f]) for f in fields},
                "source": source,
            }
        )
        changed.append({"enrolment_id": row.enrolment_id, **new, "explanation": row.explanation})
    upsert(session, t.Result.__table__, changed, ["enrolment_id"], update=(*fields, "explanation"))
    audit_many(session, audits)
    return len(changed)


def reserve_certificates(session: Session, cohort: CohortRef, enrolment_ids: list[int], slug: str) -> int:
    """Give each passing participant a number once (stable across re-runs and re-issues)."""
    have = set(session.scalars(select(t.Certificate.enrolment_id).where(t.Certificate.enrolment_id.in_(enrolment_ids))))
    last = (
        session.scalar(
            select(func.max(t.Certificate.sequence)).join(t.Enrolment).where(t.Enrolment.cohort_id == cohort.cohort_id)
        )
        or 0
    )
    new = [e for e in enrolment_ids if e not in have]
    for seq, enrolment_id in enumerate(new, start=last + 1):
        number = cohort.template.certificate_number.format(
            programme=slug, cohort=cohort.number, seq=seq, year=cohort.end_date.year
        )
        session.add(
            t.Certificate(
                enrolment_id=enrolment_id,
                number=number,
                sequence=seq,
                version=1,
                verification_code=secrets.token_hex(8).upper(),
                issued_on=None,
            )
        )
    return len(new)


def issue(session: Session, enrolment_id: int, content_sha256: str, on: date, actor: str) -> t.Certificate:
    """Issue (or re-issue) a reserved certificate: a new version only when the printed content changed."""
    cert = session.scalar(select(t.Certificate).where(t.Certificate.enrolment_id == enrolment_id))
    if cert.issued_on is None:
        cert.issued_on, cert.content_sha256 = on, content_sha256
        audit(session, actor, "issue", "certificate", cert.number, None, {"version": cert.version})
    elif cert.revoked or cert.content_sha256 != content_sha256:
        # A corrected result, or a pass restored after a revocation: a new version, same number.
        cert.revoked = False
        audit(
            session,
            actor,
            "reissue",
            "certificate",
            cert.number,
            {"version": cert.version},
            {"version": cert.version + 1},
        )
        cert.version, cert.content_sha256, cert.issued_on = cert.version + 1, content_sha256, on
    return cert


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def clear_deferral(session: Session, cohort: CohortRef, nip: str, on: date, reason: str, actor: str) -> bool:
    """An operator confirms the owed revisions are in: the deferred pass becomes a pass at the next grading."""
    from diklat.domain.nip import normalize_nip
    from diklat.store.actions import ActionRefused

    row = session.execute(
        select(t.Result)
        .join(t.Enrolment)
        .where(t.Enrolment.cohort_id == cohort.cohort_id, t.Enrolment.nip == (normalize_nip(nip) or nip))
    ).scalar_one_or_none()
    if row is None or row.status != "lulus_tertunda":
        raise ActionRefused("action.not_deferred", cohort=cohort.label)
    if row.deferral_cleared_on is not None:
        return False
    row.deferral_cleared_on, row.deferral_cleared_reason = on, reason
    audit(
        session,
        actor,
        "clear-deferral",
        "result",
        str(row.enrolment_id),
        {"status": row.status},
        {"deferral_cleared_on": on.isoformat(), "reason": reason},
    )
    return True


def verify(session: Session, code: str) -> dict[str, Any] | None:
    """What a certificate with this verification code says (None: no such certificate)."""
    found = session.execute(
        select(
            t.Certificate, t.Employee.name, t.Employee.nip, t.Programme.name, t.Cohort.number, t.Result.qualification
        )
        .join(t.Enrolment, t.Certificate.enrolment_id == t.Enrolment.id)
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .join(t.Cohort, t.Cohort.id == t.Enrolment.cohort_id)
        .join(t.Programme, t.Programme.id == t.Cohort.programme_id)
        .outerjoin(t.Result, t.Result.enrolment_id == t.Enrolment.id)
        .where(t.Certificate.verification_code == code.strip().upper())
    ).first()
    if found is None:
        return None
    cert, name, nip, programme, number, qualification = found
    from diklat.domain.nip import mask_nip

    return {
        "number": cert.number,
        "version": cert.version,
        "name": name,
        "nip": mask_nip(nip),
        "programme": programme,
        "cohort": number,
        "qualification": qualification,
        "issued_on": None if cert.issued_on is None else cert.issued_on.isoformat(),
        "valid": cert.issued_on is not None and not cert.revoked,
        "revoked": cert.revoked,
    }
