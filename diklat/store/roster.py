"""Saving a gated roster: employees, enrolments and quarantine in one transaction."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from diklat.db.bulk import select_in, upsert
from diklat.domain.nip import parse_nip
from diklat.gate.roster import Gated
from diklat.store.audit import audit_many
from diklat.store.batches import BatchCounts, counts_of, previous_batch, quarantine, resolve, start_batch
from diklat.store.cohorts import CohortRef
from schemas import tables as t

EMPLOYEE_FIELDS = ("name", "golongan", "position", "unit", "email", "phone")


def save_roster(
    session: Session,
    gated: Gated,
    cohort: CohortRef,
    file_name: str,
    sha256: str,
    actor: str,
    flow_run_id: str | None = None,
) -> BatchCounts:
    """Upsert employees and enrolments; a file already processed for this cohort changes nothing."""
    if gated.kind != "roster":
        raise TypeError(f"expected a gated roster, got {gated.kind}")
    done = previous_batch(session, "roster", cohort.scope, sha256)
    if done is not None:
        return counts_of(done, already=True)
    session.execute(select(t.Cohort.id).where(t.Cohort.id == cohort.cohort_id).with_for_update())
    batch = start_batch(session, gated, cohort.scope, file_name, sha256, flow_run_id)
    accepted = gated.accepted
    source = f"{file_name} (batch {batch.id})"
    changed = _save_employees(session, accepted, actor, source)
    enrolled_before = set(session.scalars(select(t.Enrolment.nip).where(t.Enrolment.cohort_id == cohort.cohort_id)))
    created = _save_enrolments(session, accepted, cohort, batch.id, enrolled_before)
    quarantine(session, batch, gated)
    keys = list(accepted["nip"]) + list("name:" + accepted["name"].str.strip().str.casefold())
    resolved = resolve(session, "roster", cohort.scope, batch.id, keys, accepted["quarantine_id"].dropna())
    batch.rows_unchanged = int((accepted["nip"].isin(enrolled_before) & ~accepted["nip"].isin(changed)).sum())
    audit_many(
        session,
        [
            {
                "actor": actor,
                "action": "ingest",
                "entity": "cohort",
                "entity_key": cohort.label,
                "old_value": None,
                "source": source,
                "new_value": {
                    "read": gated.rows_read,
                    "enrolled": created,
                    "updated": len(changed),
                    "quarantined": len(gated.quarantined),
                    "resolved": resolved,
                },
            }
        ],
    )
    return BatchCounts(
        batch.id, file_name, gated.rows_read, len(accepted), len(gated.quarantined), batch.rows_unchanged, resolved
    )


def _save_employees(session: Session, accepted: pd.DataFrame, actor: str, source: str) -> set[str]:
    """Insert new officials, update changed ones (each change audited); returns the changed NIPs."""
    if accepted.empty:
        return set()
    cols = [getattr(t.Employee, f) for f in ("nip", *EMPLOYEE_FIELDS)]
    existing = {row.nip: row for row in select_in(session, cols, t.Employee.nip, list(accepted["nip"]))}
    rows, audits = [], []
    for rec in accepted.to_dict("records"):
        parts = parse_nip(rec["nip"])
        row = {
            "nip": rec["nip"],
            "gender": parts.gender,
            "birth_date": parts.birth_date,
            **{f: _clean(rec.get(f)) for f in EMPLOYEE_FIELDS},
        }
        old = existing.get(rec["nip"])
        if old is not None:
            before = {f: getattr(old, f) for f in EMPLOYEE_FIELDS}
            after = {f: row[f] for f in EMPLOYEE_FIELDS}
            diff = {f for f in EMPLOYEE_FIELDS if before[f] != after[f]}
            if not diff:
                continue
            audits.append(
                {
                    "actor": actor,
                    "action": "update",
                    "entity": "employee",
                    "entity_key": rec["nip"],
                    "old_value": {f: before[f] for f in sorted(diff)},
                    "new_value": {f: after[f] for f in sorted(diff)},
                    "source": source,
                }
            )
        rows.append(row)
    upsert(session, t.Employee.__table__, rows, ["nip"], update=EMPLOYEE_FIELDS)
    audit_many(session, audits)
    return {a["entity_key"] for a in audits}


def _save_enrolments(
    session: Session, accepted: pd.DataFrame, cohort: CohortRef, batch_id: int, enrolled: set[str]
) -> int:
    """Enrol the NIPs not yet in the cohort, with seats after the last one given; returns how many."""
    new = [nip for nip in accepted["nip"] if nip not in enrolled]
    last = session.scalar(select(func.max(t.Enrolment.seat)).where(t.Enrolment.cohort_id == cohort.cohort_id))
    rows = [
        {"cohort_id": cohort.cohort_id, "nip": nip, "seat": (last or 0) + i, "status": "active", "batch_id": batch_id}
        for i, nip in enumerate(new, start=1)
    ]
    if rows:
        session.execute(insert(t.Enrolment), rows)
    return len(rows)


def _clean(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value
