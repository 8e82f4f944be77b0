"""Participants' results: saved only when they change (audited), and a deferred pass cleared by an operator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.db.bulk import rows_in, upsert
from diklat.domain.nip import normalize_nip
from diklat.domain.results import Result
from diklat.store.actions import ActionRefused
from diklat.store.audit import audit, audit_many
from diklat.store.cohorts import CohortRef
from schemas import tables as t

RESULT_FIELDS = ("final_score", "qualification", "status", "rank")


def save_results_changed(session: Session, rows: Sequence[Result], actor: str, sources: Mapping[int, str]) -> list[int]:
    """Upsert results of many cohorts at once; ``sources`` names, per enrolment, what the grading read.

    Every change of score, band, status, rank or explanation is audited. Returns the enrolment ids
    whose result changed (an unchanged result writes nothing, not even audit).
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


def clear_deferral(session: Session, cohort: CohortRef, nip: str, on: date, reason: str, actor: str) -> bool:
    """An operator confirms the owed revisions are in: the deferred pass becomes a pass at the next grading.

    True when recorded now, False when it already was; ActionRefused when the participant has no deferred pass.
    """
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


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
