"""Saving a gated roster: employees, enrolments and quarantine in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_rows, rows_in, select_in, upsert
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.nip import parse_nip
from diklat.store.audit import audit_many
from diklat.store.batches import CohortFile, pending, quarantine_many, resolve, start_file_batches
from diklat.store.cohorts import CohortRef, hold_cohorts
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
    return save_rosters(session, [CohortFile(gated, cohort, file_name, sha256)], actor, flow_run_id)[0]


def save_rosters(
    session: Session, files: Sequence[CohortFile], actor: str, flow_run_id: str | None = None
) -> list[BatchCounts]:
    """``save_roster`` for many cohorts' files with a fixed number of statements, in the files' order.

    Per-cohort statements inside one long transaction degrade on PostgreSQL (the planner still
    sees the tables as empty), so each step below covers every file at once.
    """
    for f in files:
        if f.gated.kind != "roster":
            raise TypeError(f"expected a gated roster, got {f.gated.kind}")
    out, todo = pending(session, files)
    if not todo:
        return [out[i] for i in range(len(files))]
    ids = [f.cohort.cohort_id for _, f in todo]
    hold_cohorts(session, ids)
    batches = start_file_batches(session, [f for _, f in todo], flow_run_id)
    accepted = pd.concat(
        [
            f.gated.accepted.assign(_source=f"{f.file_name} (batch {b.id})", _cohort=f.cohort.cohort_id, _batch=b.id)
            for (_, f), b in zip(todo, batches, strict=True)
        ],
        ignore_index=True,
    )
    changed = _save_employees(session, accepted, actor)
    enrolled_before = {
        (c, nip)
        for c, nip in rows_in(session, select(t.Enrolment.cohort_id, t.Enrolment.nip), t.Enrolment.cohort_id, ids)
    }
    created = _save_enrolments(session, accepted, enrolled_before)
    # Resolving fixed rows is one UPDATE per cohort: only for cohorts that have rows waiting.
    waiting = {
        scope
        for (scope,) in rows_in(
            session,
            select(t.QuarantinedRow.scope).where(t.QuarantinedRow.kind == "roster", t.QuarantinedRow.status == "open"),
            t.QuarantinedRow.scope,
            [f.cohort.scope for _, f in todo],
        )
    }
    quarantine_many(session, [(b, f.gated) for (_, f), b in zip(todo, batches, strict=True)])
    audits = []
    for (i, f), batch in zip(todo, batches, strict=True):
        mine = f.gated.accepted
        keys = list(mine["nip"]) + list("name:" + mine["name"].str.strip().str.casefold())
        resolved = (
            resolve(session, "roster", f.cohort.scope, batch.id, keys, mine["quarantine_id"].dropna())
            if f.cohort.scope in waiting
            else 0
        )
        before = mine["nip"].map(lambda nip, c=f.cohort.cohort_id: (c, nip) in enrolled_before)
        batch.rows_unchanged = int((before & ~mine["nip"].isin(changed)).sum())
        source = f"{f.file_name} (batch {batch.id})"
        audits.append(
            {
                "actor": actor,
                "action": "ingest",
                "entity": "cohort",
                "entity_key": f.cohort.label,
                "old_value": None,
                "source": source,
                "new_value": {
                    "read": f.gated.rows_read,
                    "enrolled": created.get(f.cohort.cohort_id, 0),
                    "updated": int(mine["nip"].isin(changed).sum()),
                    "quarantined": len(f.gated.quarantined),
                    "resolved": resolved,
                },
            }
        )
        out[i] = BatchCounts(
            batch.id,
            f.file_name,
            f.gated.rows_read,
            len(mine),
            len(f.gated.quarantined),
            batch.rows_unchanged,
            resolved,
        )
    audit_many(session, audits)
    return [out[i] for i in range(len(files))]


def _save_employees(session: Session, accepted: pd.DataFrame, actor: str) -> set[str]:
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
                    "source": rec["_source"],
                }
            )
        rows.append(row)
    # One row per NIP: PostgreSQL refuses to update the same row twice in one statement.
    rows = list({row["nip"]: row for row in rows}.values())
    upsert(session, t.Employee.__table__, rows, ["nip"], update=EMPLOYEE_FIELDS)
    audit_many(session, audits)
    return {a["entity_key"] for a in audits}


def _save_enrolments(session: Session, accepted: pd.DataFrame, enrolled: set[tuple[int, str]]) -> dict[int, int]:
    """Enrol the NIPs not yet in their cohort, seats after each cohort's last; cohort id -> how many."""
    new = accepted[[(c, nip) not in enrolled for c, nip in zip(accepted["_cohort"], accepted["nip"], strict=True)]]
    if new.empty:
        return {}
    ids = sorted(set(new["_cohort"]))
    last = dict(
        rows_in(
            session,
            select(t.Enrolment.cohort_id, func.max(t.Enrolment.seat)).group_by(t.Enrolment.cohort_id),
            t.Enrolment.cohort_id,
            ids,
        )
    )
    seat = new.groupby("_cohort").cumcount() + 1 + new["_cohort"].map(lambda c: last.get(c) or 0)
    rows = [
        {"cohort_id": int(c), "nip": nip, "seat": int(s), "status": "active", "batch_id": int(b)}
        for c, nip, s, b in zip(new["_cohort"], new["nip"], seat, new["_batch"], strict=True)
    ]
    insert_rows(session, t.Enrolment.__table__, rows)  # the driver's executemany on SQLite, not per-row processing
    return {int(c): int(n) for c, n in new["_cohort"].value_counts().items()}


def _clean(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value
