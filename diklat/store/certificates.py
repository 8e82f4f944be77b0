"""Certificates (STTP): numbers reserved once, issued and re-issued by content, revoked, verified."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_rows, rows_in, update_rows
from diklat.domain.nip import mask_nip
from diklat.store.actions import ActionRefused
from diklat.store.audit import audit_many
from diklat.store.cohorts import CohortRef
from schemas import tables as t


def new_code() -> str:
    """A verification code: 64 random bits from the OS's CSPRNG, as 16 hex digits (docs/public-pages.md)."""
    return secrets.token_hex(8).upper()


def normalise_code(code: str) -> str:
    """A code as typed or scanned: case, spaces and dashes do not matter."""
    return "".join(ch for ch in str(code) if ch.isalnum()).upper()[:40]


def reserve_certificates_many(
    session: Session, passes: Sequence[tuple[CohortRef, Sequence[int]]], slug: str | Mapping[int, str]
) -> dict[int, int]:
    """Give each passing participant a number once (stable across re-runs and re-issues); returns numbers
    reserved per cohort.

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
                    "verification_code": new_code(),
                    "issued_on": None,
                    "revoked": False,
                    "held": False,
                }
            )
    insert_rows(session, t.Certificate.__table__, rows)
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


def issue_many(
    session: Session, contents: Mapping[int, str], on: date | Mapping[int, date], actor: str
) -> dict[int, Issued]:
    """Issue (or re-issue) many reserved certificates at once (enrolment id -> printed content's SHA-256).

    First issue: dated ``on``, version 1. Later: a new version (same number) only when the printed
    content changed or the certificate had been revoked; otherwise nothing is written.
    """
    c = t.Certificate
    columns = (c.id, c.enrolment_id, c.number, c.version, c.verification_code, c.issued_on, c.content_sha256, c.revoked)
    # Plain rows and two bulk UPDATEs by primary key, not an ORM object per certificate: a national
    # graduation issues 100,000 at once, and the unit of work's bookkeeping was most of the cost.
    certs = rows_in(session, select(*columns), c.enrolment_id, list(contents))
    audits, out, firsts, agains, replaced = [], {}, [], [], []
    for cert in certs:
        sha, day = contents[cert.enrolment_id], on if isinstance(on, date) else on[cert.enrolment_id]
        version, code, issued_on = cert.version, cert.verification_code, cert.issued_on
        first, again = cert.issued_on is None, False
        if first:
            issued_on = day
            firsts.append({"id": cert.id, "issued_on": day, "content_sha256": sha})
            audits.append(_audit_row(actor, "issue", cert.number, None, {"version": version}))
        elif cert.revoked or cert.content_sha256 != sha:
            # A corrected result, or a pass restored after a revocation: a new version, same number, and a
            # new code, so the paper of the version it replaces answers "replaced on <day>" when checked.
            again = True
            replaced.append(
                {
                    "certificate_id": cert.id,
                    "verification_code": code,
                    "version": version,
                    "issued_on": issued_on,
                    "replaced_on": day,
                }
            )
            audits.append(_audit_row(actor, "reissue", cert.number, {"version": version}, {"version": version + 1}))
            version, code, issued_on = version + 1, new_code(), day
            agains.append(
                {
                    "id": cert.id,
                    "version": version,
                    "verification_code": code,
                    "issued_on": day,
                    "content_sha256": sha,
                    "revoked": False,
                }
            )
        out[cert.enrolment_id] = Issued(cert.enrolment_id, cert.number, version, code, issued_on, first, again)
    missing = set(contents) - set(out)
    if missing:
        raise LookupError(f"no reserved certificate for enrolment(s) {sorted(missing)[:5]}")
    if replaced:
        session.execute(insert(t.CertificateCode), replaced)
    for changes in (firsts, agains):
        update_rows(session, t.Certificate.__table__, changes)  # by primary key
    audit_many(session, audits)
    return out


def held_enrolments(session: Session, cohort_ids: Sequence[int]) -> set[int]:
    """The enrolments of these cohorts whose certificate an operator revoked (a regrade never issues them)."""
    stmt = select(t.Certificate.enrolment_id).join(t.Enrolment).where(t.Certificate.held.is_(True))
    return {e for (e,) in rows_in(session, stmt, t.Enrolment.cohort_id, cohort_ids)}


def _issued_certificate(session: Session, enrolment_id: int, cohort: str) -> t.Certificate:
    cert = session.scalar(select(t.Certificate).where(t.Certificate.enrolment_id == enrolment_id))
    if cert is None or cert.issued_on is None:
        raise ActionRefused("action.no_certificate", cohort=cohort)
    return cert


def hold(session: Session, enrolment_id: int, cohort: str, on: date, reason: str, actor: str) -> bool:
    """An operator revokes an issued certificate (e.g. a change project found plagiarised): audited, sticky.

    False when it already was. The revocation itself is written by the regrade that follows, in the
    same way as any other certificate that is no longer to be valid.
    """
    cert = _issued_certificate(session, enrolment_id, cohort)
    if cert.held:
        return False
    cert.held, cert.held_on, cert.held_reason = True, on, reason
    audit_many(
        session,
        [
            _audit_row(
                actor,
                "revoke-decision",
                cert.number,
                {"held": False},
                {"held": True, "on": on.isoformat(), "reason": reason},
            )
        ],
    )
    return True


def release(session: Session, enrolment_id: int, cohort: str, on: date, reason: str, actor: str) -> bool:
    """Lift an operator's revocation: the regrade that follows issues a new version, same number.

    False when the certificate is not held (nothing to lift); refused when there is no issued certificate.
    """
    cert = _issued_certificate(session, enrolment_id, cohort)
    if not cert.held:
        return False
    audit_many(
        session,
        [
            _audit_row(
                actor,
                "reissue-decision",
                cert.number,
                {"held": True, "on": cert.held_on.isoformat() if cert.held_on else None, "reason": cert.held_reason},
                {"held": False, "on": on.isoformat(), "reason": reason},
            )
        ],
    )
    cert.held, cert.held_on, cert.held_reason = False, None, None
    return True


def revoke_other_certificates(session: Session, cohort_ids: Sequence[int], passed: Iterable[int], actor: str) -> int:
    """Revoke the valid certificates of these cohorts' participants who are no longer a pass (audited)."""
    keep = set(passed)
    c = t.Certificate
    stmt = select(c.id, c.enrolment_id, c.number).join(t.Enrolment).where(c.revoked.is_(False))
    found = rows_in(session, stmt, t.Enrolment.cohort_id, cohort_ids)
    stale = [cert for cert in found if cert.enrolment_id not in keep]
    if stale:  # no longer a pass after a correction: the certificate stops verifying
        update_rows(session, c.__table__, [{"id": cert.id, "revoked": True} for cert in stale])
    audit_many(
        session, [_audit_row(actor, "revoke", cert.number, {"revoked": False}, {"revoked": True}) for cert in stale]
    )
    return len(stale)


def verify(session: Session, code: str) -> dict[str, Any] | None:
    """What a certificate with this verification code says (None: no such certificate).

    ``status``: ``valid``, ``revoked``, ``not_issued`` (reserved for a deferred pass), or ``replaced``
    (the code of an earlier version: ``replaced_on`` and the current ``version`` say by what). The
    same two indexed lookups run for every code, known or not.
    """
    code = normalise_code(code)
    old = session.execute(
        select(t.CertificateCode.certificate_id, t.CertificateCode.version, t.CertificateCode.replaced_on).where(
            t.CertificateCode.verification_code == code
        )
    ).first()
    match = t.Certificate.id == old[0] if old is not None else t.Certificate.verification_code == code
    found = session.execute(
        select(
            t.Certificate,
            t.Employee.name,
            t.Employee.nip,
            t.Programme.name,
            t.Cohort.number,
            t.Cohort.start_date,
            t.Cohort.end_date,
            t.Result.qualification,
        )
        .join(t.Enrolment, t.Certificate.enrolment_id == t.Enrolment.id)
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .join(t.Cohort, t.Cohort.id == t.Enrolment.cohort_id)
        .join(t.Programme, t.Programme.id == t.Cohort.programme_id)
        .outerjoin(t.Result, t.Result.enrolment_id == t.Enrolment.id)
        .where(match)
    ).first()
    if found is None:
        return None
    cert, name, nip, programme, number, start, end, qualification = found
    if old is not None:
        status = "replaced"
    elif cert.issued_on is None:
        status = "not_issued"
    else:
        status = "revoked" if cert.revoked else "valid"
    return {
        "status": status,
        "valid": status == "valid",
        "number": cert.number,
        "version": old[1] if old is not None else cert.version,
        "current_version": cert.version,
        "replaced_on": None if old is None else old[2].isoformat(),
        "name": name,
        "nip": mask_nip(nip),
        "programme": programme,
        "cohort": number,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "qualification": qualification,
        "issued_on": None if cert.issued_on is None else cert.issued_on.isoformat(),
        "revoked": cert.revoked,
        "revoked_on": None if cert.held_on is None else cert.held_on.isoformat(),
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


def a_valid_code(session: Session) -> str | None:
    """One verification code of a valid certificate (the demo shows its page)."""
    return session.scalar(
        select(t.Certificate.verification_code)
        .where(t.Certificate.issued_on.is_not(None), t.Certificate.revoked.is_(False))
        .order_by(t.Certificate.id)
        .limit(1)
    )
