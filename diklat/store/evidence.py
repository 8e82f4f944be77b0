"""Saving gated evidence and scores: upserts on natural keys, changed values audited, quarantine stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.domain.evidence import KEYS, EvidenceContext, SessionDay, key_of
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.scores import KEY as SCORE_KEY
from diklat.store.audit import audit_many
from diklat.store.batches import counts_of, previous_batch, quarantine, resolve, start_batch
from diklat.store.cohorts import CohortRef
from schemas import tables as t

TABLES = {
    "attendance": (t.Attendance, ("enrolment_id", "session_id"), ("status", "jp")),
    "guidance": (t.GuidanceLog, ("enrolment_id", "date", "kind"), ("by_nip", "topic")),
    "deliverables": (t.Deliverable, ("enrolment_id", "stage", "date"), ("outcome", "notes")),
    "scores": (t.Score, ("enrolment_id", "component", "assessor"), ("score",)),
    "responses": (t.SurveyAnswer, ("cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item"), ("answer",)),
}
ROW_KEYS = {**KEYS, "scores": SCORE_KEY, "responses": ("alumnus_nip", "wave", "role", "respondent_key", "item")}


def evidence_context(session: Session, cohort: CohortRef) -> EvidenceContext:
    """The cohort's participants (active or withdrawn), dates, session days and stages."""
    nips = session.scalars(select(t.Enrolment.nip).where(t.Enrolment.cohort_id == cohort.cohort_id))
    sessions = session.execute(
        select(t.Session.date, t.Session.code, t.Session.jp).where(t.Session.cohort_id == cohort.cohort_id)
    ).all()
    stages = {m.stage for m in cohort.template.milestones if m.stage}
    guides: dict[str, set[str]] = {}
    for nip, guide in session.execute(
        select(t.Enrolment.nip, t.Assignment.person_nip)
        .join(t.Assignment, t.Assignment.enrolment_id == t.Enrolment.id)
        .where(t.Enrolment.cohort_id == cohort.cohort_id)
    ):
        guides.setdefault(nip, set()).add(guide)
    return EvidenceContext(
        participants=frozenset(nips),
        start=cohort.start_date,
        end=cohort.end_date,
        sessions={d: SessionDay(code, jp) for d, code, jp in sessions},
        stages=frozenset(stages),
        guides={nip: frozenset(g) for nip, g in guides.items()},
    )


def save_evidence(
    session: Session,
    gated: Gated,
    cohort: CohortRef,
    file_name: str,
    sha256: str,
    actor: str,
    flow_run_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> BatchCounts:
    """Upsert accepted evidence rows; the same file twice changes nothing; corrections are audited."""
    done = previous_batch(session, gated.kind, cohort.scope, sha256)
    if done is not None:
        return counts_of(done, already=True)
    batch = start_batch(session, gated, cohort.scope, file_name, sha256, flow_run_id)
    table, keys, values = TABLES[gated.kind]
    rows = _rows(session, gated, cohort, batch.id, extra or {})
    existing = _existing(session, table, keys, values, cohort)
    changed, unchanged, audits = [], 0, []
    source = f"{file_name} (batch {batch.id})"
    for row in rows:
        key = tuple(row[k] for k in keys)
        old = existing.get(key)
        new = {v: row[v] for v in values}
        if old == new:
            unchanged += 1
            continue
        if old is not None:
            audits.append(
                {
                    "actor": actor,
                    "action": "update",
                    "entity": gated.kind,
                    "entity_key": _key_text(key),
                    "old_value": _jsonable(old),
                    "new_value": _jsonable(new),
                    "source": source,
                }
            )
        changed.append(row)
    upsert(session, table.__table__, changed, keys, update=(*values, "batch_id"))
    audit_many(session, audits)
    quarantine(session, batch, gated)
    subjects = key_of(gated.accepted, ROW_KEYS[gated.kind])
    resolved = resolve(session, gated.kind, cohort.scope, batch.id, subjects, gated.accepted["quarantine_id"].dropna())
    batch.rows_unchanged = unchanged
    return BatchCounts(
        batch.id, file_name, gated.rows_read, len(gated.accepted), len(gated.quarantined), unchanged, resolved
    )


def _rows(session: Session, gated: Gated, cohort: CohortRef, batch_id: int, extra: dict[str, Any]) -> list[dict]:
    """Accepted rows as table rows; ``extra`` adds constant columns (e.g. the instrument id)."""
    if gated.kind == "responses":
        columns = ["alumnus_nip", "wave", "role", "respondent_key", "item", "answer"]
        frame = gated.accepted[columns + (["instrument_id"] if "instrument_id" in gated.accepted else [])]
        return [
            {**rec, "cohort_id": cohort.cohort_id, "batch_id": batch_id, **extra} for rec in frame.to_dict("records")
        ]
    enrolments = dict(
        session.execute(select(t.Enrolment.nip, t.Enrolment.id).where(t.Enrolment.cohort_id == cohort.cohort_id)).all()
    )
    frame = gated.accepted
    out = pd.DataFrame({"enrolment_id": frame["nip"].map(enrolments), "batch_id": batch_id})
    if gated.kind == "attendance":
        session_ids = dict(
            session.execute(select(t.Session.code, t.Session.id).where(t.Session.cohort_id == cohort.cohort_id)).all()
        )
        out["session_id"] = frame["session"].map(session_ids)
        out["status"], out["jp"] = frame["status"], frame["jp"].astype(int)
    elif gated.kind == "guidance":
        out["date"], out["kind"] = frame["date"], frame["kind"]
        out["by_nip"], out["topic"] = frame["by_nip"], frame["topic"]
    elif gated.kind == "deliverables":
        out["stage"], out["date"], out["outcome"], out["notes"] = (
            frame["stage"],
            frame["date"],
            frame["outcome"],
            frame["notes"],
        )
    else:
        out["component"], out["assessor"], out["score"] = frame["component"], frame["assessor"], frame["score"]
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    for rec in records:
        rec["enrolment_id"] = int(rec["enrolment_id"])
        if "session_id" in rec:
            rec["session_id"] = int(rec["session_id"])
    return records


def _existing(
    session: Session, table: Any, keys: tuple[str, ...], values: tuple[str, ...], cohort: CohortRef
) -> dict[tuple, dict[str, Any]]:
    cols = [getattr(table, c) for c in (*keys, *values)]
    if hasattr(table, "enrolment_id"):
        stmt = select(*cols).join(t.Enrolment, table.enrolment_id == t.Enrolment.id)
        stmt = stmt.where(t.Enrolment.cohort_id == cohort.cohort_id)
    else:
        stmt = select(*cols).where(table.cohort_id == cohort.cohort_id)
    rows = session.execute(stmt).all()
    return {tuple(r[: len(keys)]): dict(zip(values, r[len(keys) :], strict=True)) for r in rows}


def _key_text(key: tuple) -> str:
    return "|".join(str(k) for k in key)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, date):
            return v.isoformat()
        return format(v.normalize(), "f") if isinstance(v, Decimal) else v

    return {k: plain(v) for k, v in values.items()}
