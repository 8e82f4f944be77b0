"""Saving a gated roster: employees, enrolments and quarantine in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_rows, rows_in, select_in, upsert
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.nip_layout import GENDERS, parse_nips
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
    # Every file's rows as one frame, each row tagged with its file (by position in ``todo``): the
    # counts below are column sums per file, not a pass over each file (3,334 of them nationally).
    lengths = [len(f.gated.accepted) for _, f in todo]
    accepted = pd.concat([f.gated.accepted for _, f in todo], ignore_index=True)
    accepted["_source"] = np.repeat(
        np.array([f"{f.file_name} (batch {b.id})" for (_, f), b in zip(todo, batches, strict=True)], dtype=object),
        lengths,
    )
    accepted["_cohort"] = np.repeat(ids, lengths)
    accepted["_batch"] = np.repeat([b.id for b in batches], lengths)
    file_of = np.repeat(np.arange(len(todo)), lengths)
    changed = _save_employees(session, accepted, actor)
    enrolled_before = {
        (c, nip)
        for c, nip in rows_in(session, select(t.Enrolment.cohort_id, t.Enrolment.nip), t.Enrolment.cohort_id, ids)
    }
    pairs = zip(accepted["_cohort"].tolist(), accepted["nip"].tolist(), strict=True)
    was_enrolled = np.fromiter((pair in enrolled_before for pair in pairs), dtype=bool, count=len(accepted))
    created = _save_enrolments(session, accepted[~was_enrolled])
    updated = accepted["nip"].isin(changed).to_numpy()
    updated_per_file = np.bincount(file_of, weights=updated, minlength=len(todo)).astype(int).tolist()
    unchanged_per_file = np.bincount(file_of, weights=was_enrolled & ~updated, minlength=len(todo)).astype(int).tolist()
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
    for k, ((i, f), batch) in enumerate(zip(todo, batches, strict=True)):
        mine = f.gated.accepted
        resolved = 0
        if f.cohort.scope in waiting:
            keys = list(mine["nip"]) + list("name:" + mine["name"].str.strip().str.casefold())
            resolved = resolve(session, "roster", f.cohort.scope, batch.id, keys, mine["quarantine_id"].dropna())
        batch.rows_unchanged = unchanged_per_file[k]
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
                    "updated": updated_per_file[k],
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
    """Insert new officials, update changed ones (each change audited); returns the changed NIPs.

    Column-wise (issue #17: the per-row loop was 3 s of a national opening): one row per NIP, the last
    file's values winning (PostgreSQL refuses to update the same row twice in one statement); gender
    and birth date decoded from the NIP for the whole column; a row is written only when it is new or
    differs from the stored one, and only the changed rows are walked to describe the change.
    """
    if accepted.empty:
        return set()
    latest = accepted.drop_duplicates("nip", keep="last").reset_index(drop=True)
    parts = parse_nips(latest["nip"])
    after = pd.DataFrame(
        {f: latest[f] if f in latest else None for f in EMPLOYEE_FIELDS}, index=latest.index, dtype=object
    )
    after = after.where(after.notna(), None)
    cols = [getattr(t.Employee, f) for f in ("nip", *EMPLOYEE_FIELDS)]
    stored = select_in(session, cols, t.Employee.nip, list(latest["nip"]))
    before = (
        pd.DataFrame([tuple(r) for r in stored], columns=["nip", *EMPLOYEE_FIELDS], dtype=object)
        .set_index("nip")
        .reindex(latest["nip"])
        .set_axis(latest.index)
    )
    known = latest["nip"].isin({r.nip for r in stored})
    differs = pd.DataFrame(
        {f: ~((before[f] == after[f]) | (before[f].isna() & after[f].isna())) for f in EMPLOYEE_FIELDS}
    )
    write = ~known | differs.any(axis=1)
    audits = [
        {
            "actor": actor,
            "action": "update",
            "entity": "employee",
            "entity_key": latest.at[i, "nip"],
            "old_value": {f: _clean(before.at[i, f]) for f in sorted(EMPLOYEE_FIELDS) if differs.at[i, f]},
            "new_value": {f: after.at[i, f] for f in sorted(EMPLOYEE_FIELDS) if differs.at[i, f]},
            "source": latest.at[i, "_source"],
        }
        for i in latest.index[known & write]
    ]
    mask = write.to_numpy()
    births = parts.birth[mask]
    born = {b: date(b // 10000, b // 100 % 100, b % 100) for b in np.unique(births).tolist()}  # few distinct days
    columns = {
        "nip": latest["nip"].to_numpy()[mask].tolist(),
        "gender": [GENDERS.get(g) for g in parts.gender[mask].tolist()],
        "birth_date": [born[b] for b in births.tolist()],
        **{f: after[f].to_numpy()[mask].tolist() for f in EMPLOYEE_FIELDS},
    }
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    upsert(session, t.Employee.__table__, rows, ["nip"], update=EMPLOYEE_FIELDS)
    audit_many(session, audits)
    return {a["entity_key"] for a in audits}


def _save_enrolments(session: Session, new: pd.DataFrame) -> dict[int, int]:
    """Enrol these rows' NIPs (none in its cohort yet), seats after each cohort's last; cohort id -> how many."""
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
    insert_rows(session, t.Enrolment.__table__, rows)  # executemany on SQLite, COPY on PostgreSQL
    return {int(c): int(n) for c, n in new["_cohort"].value_counts().items()}


def _clean(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value
