"""What the final assessment reads and writes: assessors, standing, results, certificates."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from diklat.db.bulk import rows_in, upsert
from diklat.domain.evidence import stage_code
from diklat.domain.scores import ScoreContext
from diklat.store.audit import audit, audit_many
from diklat.store.batches import latest_batches  # noqa: F401 - part of this module's interface
from diklat.store.cohorts import CohortRef
from schemas import tables as t


def score_context(session: Session, cohort: CohortRef) -> ScoreContext:
    """Participants, the template's components (by code or title), and known assessors (NIP or name)."""
    return score_contexts(session, [cohort])[cohort.cohort_id]


def score_contexts(session: Session, cohorts: Sequence[CohortRef]) -> dict[int, ScoreContext]:
    """``score_context`` of many cohorts in three queries (cohort id -> context)."""
    ids = [c.cohort_id for c in cohorts]
    people: dict[int, list[tuple[str, str | None]]] = {i: [] for i in ids}
    # Coaches and mentors first, then registered examiners: a name shared by both means the examiner.
    coaches = (
        select(t.Enrolment.cohort_id, t.Assignment.person_nip, t.Assignment.person_name)
        .select_from(t.Assignment)
        .join(t.Enrolment)
    )
    examiners = select(t.Assessor.cohort_id, t.Assessor.nip, t.Assessor.name)
    for cohort_id, nip, name in [
        *rows_in(session, coaches, t.Enrolment.cohort_id, ids),
        *rows_in(session, examiners, t.Assessor.cohort_id, ids),
    ]:
        people[cohort_id].append((nip, name))
    nips: dict[int, set[str]] = {i: set() for i in ids}
    for cohort_id, nip in rows_in(session, select(t.Enrolment.cohort_id, t.Enrolment.nip), t.Enrolment.cohort_id, ids):
        nips[cohort_id].add(nip)
    out = {}
    for cohort in cohorts:
        assessment = cohort.template.assessment
        components = {}
        for c in assessment.components:
            components[stage_code(c.code)] = c.code
            components[stage_code(c.title)] = c.code
        assessors: dict[str, str] = {}
        for nip, name in people[cohort.cohort_id]:
            assessors[nip] = nip
            if name:
                assessors[name.strip().casefold()] = nip
        out[cohort.cohort_id] = ScoreContext(
            frozenset(nips[cohort.cohort_id]), components, assessors, assessment.score_min, assessment.score_max
        )
    return out


def save_assessors(session: Session, cohort: CohortRef, frame: pd.DataFrame) -> int:
    """Register examiners who may score this cohort (names updated, nobody removed)."""
    rows = [
        {"cohort_id": cohort.cohort_id, "nip": r.nip, "name": r.name}
        for r in frame.dropna(subset=["nip", "name"]).itertuples(index=False)
    ]
    upsert(session, t.Assessor.__table__, rows, ["cohort_id", "nip"], update=["name"])
    return len(rows)


SCORE_COLUMNS = ["cohort_id", "enrolment_id", "component", "assessor", "score"]


def load_scores(session: Session, cohort_id: int) -> pd.DataFrame:
    return load_scores_many(session, [cohort_id]).drop(columns=["cohort_id"])


def load_scores_many(session: Session, cohort_ids: Sequence[int]) -> pd.DataFrame:
    """Every score of these cohorts; per participant in the order they were first recorded.

    The order is explicit because a component's scores are listed in the result's explanation,
    and an explanation that changed only in order would count as a change (and be audited).
    """
    stmt = (
        select(t.Enrolment.cohort_id, t.Score.enrolment_id, t.Score.component, t.Score.assessor, t.Score.score)
        .join(t.Enrolment)
        .order_by(t.Score.enrolment_id, t.Score.id)
    )
    return pd.DataFrame(rows_in(session, stmt, t.Enrolment.cohort_id, cohort_ids), columns=SCORE_COLUMNS)


PEOPLE_COLUMNS = [
    "cohort_id",
    "enrolment_id",
    "nip",
    "status",
    "name",
    "golongan",
    "position",
    "unit",
    "deferral_cleared_on",
]


def participants(session: Session, cohort_id: int) -> pd.DataFrame:
    return participants_many(session, [cohort_id]).drop(columns=["cohort_id"])


def participants_many(session: Session, cohort_ids: Sequence[int]) -> pd.DataFrame:
    """Participants of these cohorts (withdrawn ones too), by cohort and seat."""
    stmt = (
        select(
            t.Enrolment.cohort_id,
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
        .order_by(t.Enrolment.cohort_id, t.Enrolment.seat)
    )
    frame = pd.DataFrame(rows_in(session, stmt, t.Enrolment.cohort_id, cohort_ids), columns=PEOPLE_COLUMNS)
    order = {cid: i for i, cid in enumerate(cohort_ids)}  # the caller's order of cohorts, seats within
    return frame.sort_values("cohort_id", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class ResultRow:
    enrolment_id: int
    final_score: Decimal | None
    qualification: str | None
    status: str
    rank: int | None
    explanation: dict[str, Any]


RESULT_FIELDS = ("final_score", "qualification", "status", "rank")


def save_results(session: Session, rows: list[ResultRow], actor: str, source: str) -> int:
    """Upsert results; every change of score, band, status or rank is audited. Returns rows changed."""
    return len(save_results_changed(session, rows, actor, dict.fromkeys((r.enrolment_id for r in rows), source)))


def save_results_changed(
    session: Session, rows: Sequence[ResultRow], actor: str, sources: Mapping[int, str]
) -> list[int]:
    """``save_results`` for many cohorts at once; ``sources`` names, per enrolment, what the grading read.

    Returns the enrolment ids whose result changed (an unchanged result writes nothing, not even audit).
    """
    existing = {
        r.enrolment_id: r
        for (r,) in rows_in(session, select(t.Result), t.Result.enrolment_id, [row.enrolment_id for row in rows])
    }
    changed, audits = [], []
    for row in rows:
        old = existing.get(row.enrolment_id)
        new = {f: getattr(row, f) for f in RESULT_FIELDS}
        if (
            old is not None
            and all(getattr(old, f) == new[f] for f in RESULT_FIELDS)
            and old.explanation == row.explanation
        ):
            continue
        audits.append(
            {
                "actor": actor,
                "action": "grade" if old is None else "regrade",
                "entity": "result",
                "entity_key": str(row.enrolment_id),
                "old_value": None if old is None else {f: _text(getattr(old, f)) for f in RESULT_FIELDS},
                "new_value": {f: _text(new[f]) for f in RESULT_FIELDS},
                "source": sources[row.enrolment_id],
            }
        )
        changed.append({"enrolment_id": row.enrolment_id, **new, "explanation": row.explanation})
    upsert(session, t.Result.__table__, changed, ["enrolment_id"], update=(*RESULT_FIELDS, "explanation"))
    audit_many(session, audits)
    return [c["enrolment_id"] for c in changed]


def reserve_certificates(session: Session, cohort: CohortRef, enrolment_ids: list[int], slug: str) -> int:
    """Give each passing participant a number once (stable across re-runs and re-issues)."""
    return reserve_certificates_many(session, [(cohort, enrolment_ids)], slug).get(cohort.cohort_id, 0)


def reserve_certificates_many(
    session: Session, passes: Sequence[tuple[CohortRef, Sequence[int]]], slug: str | Mapping[int, str]
) -> dict[int, int]:
    """``reserve_certificates`` for many cohorts in a few statements; returns numbers reserved per cohort.

    A cohort's new numbers continue its own sequence in the order given (seat order), so the same
    results always give the same numbers, whether a cohort is graded alone or in a batch.
    """
    every = [e for _, ids in passes for e in ids]
    have = {e for (e,) in rows_in(session, select(t.Certificate.enrolment_id), t.Certificate.enrolment_id, every)}
    last = dict(
        rows_in(
            session,
            select(t.Enrolment.cohort_id, func.max(t.Certificate.sequence))
            .join(t.Enrolment)
            .group_by(t.Enrolment.cohort_id),
            t.Enrolment.cohort_id,
            [c.cohort_id for c, _ in passes],
        )
    )
    rows, reserved = [], {}
    for cohort, ids in passes:
        prefix = slug if isinstance(slug, str) else slug[cohort.cohort_id]
        new = [e for e in ids if e not in have]
        reserved[cohort.cohort_id] = len(new)
        for seq, enrolment_id in enumerate(new, start=(last.get(cohort.cohort_id) or 0) + 1):
            number = cohort.template.certificate_number.format(
                programme=prefix, cohort=cohort.number, seq=seq, year=cohort.end_date.year
            )
            rows.append(
                {
                    "enrolment_id": enrolment_id,
                    "number": number,
                    "sequence": seq,
                    "version": 1,
                    "verification_code": secrets.token_hex(8).upper(),
                    "issued_on": None,
                    "revoked": False,
                }
            )
    if rows:
        session.execute(insert(t.Certificate), rows)
    return reserved


@dataclass(frozen=True)
class Issued:
    """A certificate after issuing, and whether this call issued it for the first time or re-issued it."""

    enrolment_id: int
    number: str
    version: int
    verification_code: str
    issued_on: date
    first_issue: bool
    reissue: bool


def issue(session: Session, enrolment_id: int, content_sha256: str, on: date, actor: str) -> t.Certificate:
    """Issue (or re-issue) a reserved certificate: a new version only when the printed content changed."""
    issue_many(session, {enrolment_id: content_sha256}, on, actor)
    return session.scalar(select(t.Certificate).where(t.Certificate.enrolment_id == enrolment_id))


def issue_many(
    session: Session, contents: Mapping[int, str], on: date | Mapping[int, date], actor: str
) -> dict[int, Issued]:
    """``issue`` for many reserved certificates at once (enrolment id -> printed content's SHA-256).

    First issue: dated ``on``, version 1. Later: a new version (same number) only when the printed
    content changed or the certificate had been revoked; otherwise nothing is written.
    """
    certs = rows_in(session, select(t.Certificate), t.Certificate.enrolment_id, list(contents))
    audits, out = [], {}
    for (cert,) in certs:
        sha, day = contents[cert.enrolment_id], on if isinstance(on, date) else on[cert.enrolment_id]
        first, again = cert.issued_on is None, False
        if first:
            cert.issued_on, cert.content_sha256 = day, sha
            audits.append(_audit_row(actor, "issue", cert.number, None, {"version": cert.version}))
        elif cert.revoked or cert.content_sha256 != sha:
            # A corrected result, or a pass restored after a revocation: a new version, same number.
            again = True
            audits.append(
                _audit_row(actor, "reissue", cert.number, {"version": cert.version}, {"version": cert.version + 1})
            )
            cert.revoked = False
            cert.version, cert.content_sha256, cert.issued_on = cert.version + 1, sha, day
        out[cert.enrolment_id] = Issued(
            cert.enrolment_id, cert.number, cert.version, cert.verification_code, cert.issued_on, first, again
        )
    missing = set(contents) - set(out)
    if missing:
        raise LookupError(f"no reserved certificate for enrolment(s) {sorted(missing)[:5]}")
    session.flush()
    audit_many(session, audits)
    return out


def revoke_other_certificates(session: Session, cohort_ids: Sequence[int], passed: Iterable[int], actor: str) -> int:
    """Revoke the valid certificates of these cohorts' participants who are no longer a pass (audited)."""
    keep = set(passed)
    stmt = select(t.Certificate).join(t.Enrolment).where(t.Certificate.revoked.is_(False))
    stale = [
        cert for (cert,) in rows_in(session, stmt, t.Enrolment.cohort_id, cohort_ids) if cert.enrolment_id not in keep
    ]
    for cert in stale:  # no longer a pass after a correction: the certificate stops verifying
        cert.revoked = True
    session.flush()
    audit_many(session, [_audit_row(actor, "revoke", c.number, {"revoked": False}, {"revoked": True}) for c in stale])
    return len(stale)


def close_cohorts(session: Session, cohort_ids: Sequence[int], actor: str) -> list[int]:
    """Close these cohorts (audited); those already closed are left alone. Returns the ids closed now."""
    stmt = select(t.Cohort).where(t.Cohort.status != "closed")
    cohorts = [c for (c,) in rows_in(session, stmt, t.Cohort.id, cohort_ids)]
    if not cohorts:
        return []
    names = dict(session.execute(select(t.Programme.id, t.Programme.name)).all())
    for cohort in cohorts:
        cohort.status = "closed"
    session.flush()
    audit_many(
        session,
        [
            {
                "actor": actor,
                "action": "close",
                "entity": "cohort",
                "entity_key": f"{names[c.programme_id]} / Angkatan {c.number}",
                "old_value": {"status": "open"},
                "new_value": {"status": "closed"},
                "source": None,
            }
            for c in cohorts
        ],
    )
    return [c.id for c in cohorts]


def find_cohorts(session: Session, programme: str, numbers: Sequence[int]) -> dict[int, CohortRef]:
    """The recorded cohorts of a programme among ``numbers`` (number -> ref); each template parsed once."""
    from schemas.template import Template

    stmt = (
        select(t.Cohort.id, t.Cohort.number, t.Cohort.start_date, t.Cohort.end_date, t.Cohort.template_id)
        .join(t.Programme)
        .where(t.Programme.name == programme)
    )
    found = rows_in(session, stmt, t.Cohort.number, numbers)
    templates = {
        tpl.id: Template.model_validate(tpl.body)
        for (tpl,) in rows_in(
            session, select(t.ProgrammeTemplate), t.ProgrammeTemplate.id, sorted({r.template_id for r in found})
        )
    }
    return {
        r.number: CohortRef(r.id, programme, r.number, r.start_date, r.end_date, templates[r.template_id])
        for r in found
    }


def _audit_row(actor: str, action: str, number: str, old: dict | None, new: dict | None) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": action,
        "entity": "certificate",
        "entity_key": number,
        "old_value": old,
        "new_value": new,
        "source": None,
    }


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
