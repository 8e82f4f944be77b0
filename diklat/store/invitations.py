"""One-time questionnaire links: created when a wave opens (and for peers when an alumnus names them),
found again by the hash of their token, opened, saved part-way, answered once, bounced."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_new
from diklat.domain.evaluation import peer_key
from diklat.domain.invitations import Invitation
from diklat.domain.tokens import new_nonce
from schemas import tables as t

ROLES_INVITED_BY_WAVE = ("alumni", "atasan")  # peers are invited by the alumnus, from the alumnus's own form


def _plain(row: t.SurveyInvitation) -> Invitation:
    return Invitation(
        row.id,
        row.cohort_id,
        row.wave,
        row.alumnus_nip,
        row.role,
        row.respondent_key,
        row.email,
        row.nonce,
        row.expires_on,
        row.opened_at is not None,
        row.answered_at is not None,
        row.draft,
    )


def wave_respondents(session: Session, cohort_id: int, wave: str) -> pd.DataFrame:
    """The alumni and superiors expected in this wave, with the address their link goes to (may be empty)."""
    mentor_email = (
        select(t.Assignment.person_nip, func.coalesce(t.Assignment.email, t.Employee.email).label("email"))
        .join(t.Enrolment, t.Enrolment.id == t.Assignment.enrolment_id)
        .join(t.Employee, t.Employee.nip == t.Assignment.person_nip, isouter=True)
        .where(t.Assignment.role == "mentor", t.Enrolment.cohort_id == cohort_id)
        .subquery()
    )
    e = t.SurveyExpected
    rows = session.execute(
        select(e.alumnus_nip, e.role, e.respondent_nip, t.Employee.email, func.max(mentor_email.c.email))
        .join(t.Employee, t.Employee.nip == e.respondent_nip, isouter=True)
        .join(mentor_email, mentor_email.c.person_nip == e.respondent_nip, isouter=True)
        .where(e.cohort_id == cohort_id, e.wave == wave, e.role.in_(ROLES_INVITED_BY_WAVE))
        .group_by(e.alumnus_nip, e.role, e.respondent_nip, t.Employee.email)
        .order_by(e.alumnus_nip, e.role)
    ).all()
    frame = pd.DataFrame(rows, columns=["alumnus_nip", "role", "respondent_nip", "own_email", "mentor_email"])
    mentor = frame["mentor_email"].fillna(frame["own_email"])
    frame["email"] = frame["own_email"].where(frame["role"] == "alumni", mentor)
    return frame[["alumnus_nip", "role", "respondent_nip", "email"]]


def invite(
    session: Session,
    cohort_id: int,
    wave: str,
    respondents: Sequence[dict[str, Any]],
    expires_on: date,
    hash_for_nonce: Callable[[str], str],
    invited_by_id: int | None = None,
) -> list[Invitation]:
    """One invitation per respondent (alumnus_nip, role, respondent_key, email) unless one exists.

    Idempotent and safe under concurrency (insert-or-ignore on the natural key): a wave opened twice,
    or an alumnus who sends the form twice, invites nobody twice. Returns every invitation of those
    respondents, new or not, so the caller plans each one's e-mail under a key that is also unique.
    """
    rows = []
    for r in respondents:
        nonce = new_nonce()
        rows.append(
            {
                "cohort_id": cohort_id,
                "wave": wave,
                "alumnus_nip": r["alumnus_nip"],
                "role": r["role"],
                "respondent_key": r["respondent_key"],
                "email": r["email"],
                "nonce": nonce,
                "token_sha256": hash_for_nonce(nonce),
                "expires_on": expires_on,
                "invited_by_id": invited_by_id,
            }
        )
    # One bulk statement for a whole wave; what exists (or a concurrent writer inserted first) is skipped.
    insert_new(
        session, t.SurveyInvitation.__table__, rows, ["cohort_id", "wave", "alumnus_nip", "role", "respondent_key"]
    )
    keys = {(r["alumnus_nip"], r["role"], r["respondent_key"]) for r in respondents}
    if not keys:
        return []
    _renew_bounced(session, cohort_id, wave, respondents, expires_on, hash_for_nonce)
    rows = session.scalars(
        select(t.SurveyInvitation)
        .where(t.SurveyInvitation.cohort_id == cohort_id, t.SurveyInvitation.wave == wave)
        .where(t.SurveyInvitation.alumnus_nip.in_(sorted({k[0] for k in keys})))
        .order_by(t.SurveyInvitation.id)
    ).all()
    return [_plain(r) for r in rows if (r.alumnus_nip, r.role, r.respondent_key) in keys]


def _renew_bounced(
    session: Session,
    cohort_id: int,
    wave: str,
    respondents: Sequence[dict[str, Any]],
    expires_on: date,
    hash_for_nonce: Callable[[str], str],
) -> None:
    """A link whose e-mail bounced gets a new link to the corrected address (the old token stops working)."""
    address = {(r["alumnus_nip"], r["role"], r["respondent_key"]): r["email"] for r in respondents}
    bounced = session.scalars(
        select(t.SurveyInvitation).where(
            t.SurveyInvitation.cohort_id == cohort_id,
            t.SurveyInvitation.wave == wave,
            t.SurveyInvitation.bounced_at.is_not(None),
            t.SurveyInvitation.answered_at.is_(None),
        )
    ).all()
    for row in bounced:
        email = address.get((row.alumnus_nip, row.role, row.respondent_key))
        if email and email.casefold() != row.email.casefold():
            nonce = new_nonce()
            row.email, row.nonce, row.token_sha256 = email, nonce, hash_for_nonce(nonce)
            row.bounced_at, row.expires_on = None, expires_on
    session.flush()


def peer_respondents(alumnus_nip: str, emails: Sequence[str]) -> list[dict[str, Any]]:
    """The peers an alumnus named, keyed as an uploaded answers file would key them (``peer_key``)."""
    return [
        {"alumnus_nip": alumnus_nip, "role": "rekan", "respondent_key": peer_key(email), "email": email}
        for email in emails
    ]


def find(session: Session, token_sha256: str) -> Invitation | None:
    """The invitation this token opens (None: no link was ever made with it)."""
    row = session.scalar(select(t.SurveyInvitation).where(t.SurveyInvitation.token_sha256 == token_sha256))
    return None if row is None else _plain(row)


def answered_elsewhere(session: Session, invitation: Invitation) -> bool:
    """Answers of this respondent about this alumnus in this wave already stored (an uploaded file)."""
    a = t.SurveyAnswer
    return bool(
        session.scalar(
            select(
                exists().where(
                    a.cohort_id == invitation.cohort_id,
                    a.wave == invitation.wave,
                    a.alumnus_nip == invitation.alumnus_nip,
                    a.role == invitation.role,
                    a.respondent_key == invitation.respondent_key,
                )
            )
        )
    )


def mark_opened(session: Session, invitation_id: int, now: datetime) -> None:
    session.execute(
        update(t.SurveyInvitation)
        .where(t.SurveyInvitation.id == invitation_id, t.SurveyInvitation.opened_at.is_(None))
        .values(opened_at=now)
    )


def save_draft(session: Session, invitation_id: int, values: dict[str, Any]) -> bool:
    """Keep what was filled in so far; nothing changes once the questionnaire is answered."""
    done = session.execute(
        update(t.SurveyInvitation)
        .where(t.SurveyInvitation.id == invitation_id, t.SurveyInvitation.answered_at.is_(None))
        .values(draft=values)
        .returning(t.SurveyInvitation.id)
    ).first()
    return done is not None


def claim_answered(session: Session, invitation_id: int, now: datetime) -> bool:
    """Mark the link used, once: of two submissions racing, exactly one gets True (the other sees it used).

    On PostgreSQL the second UPDATE waits for the first transaction and then matches no row; on SQLite
    writers are serialised. The caller stores the answers in the same transaction.
    """
    done = session.execute(
        update(t.SurveyInvitation)
        .where(t.SurveyInvitation.id == invitation_id, t.SurveyInvitation.answered_at.is_(None))
        .values(answered_at=now, draft=None)
        .returning(t.SurveyInvitation.id)
    ).first()
    return done is not None


def mark_bounced(session: Session, invitation_ids: Sequence[int], now: datetime) -> None:
    if invitation_ids:
        session.execute(
            update(t.SurveyInvitation)
            .where(t.SurveyInvitation.id.in_(list(invitation_ids)), t.SurveyInvitation.bounced_at.is_(None))
            .values(bounced_at=now)
        )


def status_counts(session: Session, cohort_ids: Sequence[int]) -> pd.DataFrame:
    """Per cohort, wave and role: invited, opened, answered, bounced (what the operator's overview shows)."""
    i = t.SurveyInvitation
    rows = session.execute(
        select(
            i.cohort_id,
            i.wave,
            i.role,
            func.count(i.id),
            func.count(i.opened_at),
            func.count(i.answered_at),
            func.count(i.bounced_at),
        )
        .where(i.cohort_id.in_(list(cohort_ids)))
        .group_by(i.cohort_id, i.wave, i.role)
        .order_by(i.cohort_id, i.wave, i.role)
    ).all()
    return pd.DataFrame(rows, columns=["cohort_id", "wave", "role", "invited", "opened", "answered", "bounced"])


def page_context(session: Session, invitation: Invitation) -> dict[str, Any]:
    """What the questionnaire page says about whom it asks: programme, cohort, the alumnus's name."""
    row = session.execute(
        select(t.Programme.name, t.Cohort.number, t.Employee.name)
        .select_from(t.Cohort)
        .join(t.Programme, t.Programme.id == t.Cohort.programme_id)
        .join(t.Employee, t.Employee.nip == invitation.alumnus_nip, isouter=True)
        .where(t.Cohort.id == invitation.cohort_id)
    ).one()
    return {"programme": row[0], "cohort": row[1], "alumnus": row[2]}


def waiting(session: Session, role: str, limit: int = 1) -> list[Invitation]:
    """Links of this role whose respondent has not answered, online or in a file (the demo shows one to try)."""
    i, a = t.SurveyInvitation, t.SurveyAnswer
    answered = exists().where(
        a.cohort_id == i.cohort_id,
        a.wave == i.wave,
        a.alumnus_nip == i.alumnus_nip,
        a.role == i.role,
        a.respondent_key == i.respondent_key,
    )
    rows = session.scalars(
        select(t.SurveyInvitation)
        .where(i.role == role, i.answered_at.is_(None), ~answered)
        .order_by(t.SurveyInvitation.expires_on.desc(), t.SurveyInvitation.id)
        .limit(limit)
    ).all()
    return [_plain(r) for r in rows]
