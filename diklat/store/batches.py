"""Ingest batches and quarantined rows, shared by every kind of file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_rows, rows_in
from diklat.domain.gated import BatchCounts, Gated
from diklat.store.cohorts import CohortRef
from schemas import tables as t


@dataclass(frozen=True)
class CohortFile:
    """One cohort's gated file (roster, evidence, coaches or examiners list), as the bulk savers take it."""

    gated: Gated
    cohort: CohortRef
    file_name: str
    sha256: str


def previous_batch(session: Session, kind: str, scope: str, sha256: str) -> t.IngestBatch | None:
    """The last file processed for this kind and scope, if it is this very file (then nothing to do).

    Only the latest counts: a file sent again after another one (say, the sheet before a wrong
    correction) is applied again, so the data ends as that file says.
    """
    latest = latest_batches(session, kind, [scope]).get(scope)
    return latest if latest is not None and latest.sha256 == sha256 else None


def pending(
    session: Session, files: Sequence[CohortFile]
) -> tuple[dict[int, BatchCounts], list[tuple[int, CohortFile]]]:
    """Files of one kind, one per cohort: the counts of those already applied (by position), and the
    rest, with their positions, still to apply."""
    kind = files[0].gated.kind
    if any(f.gated.kind != kind for f in files) or len({f.cohort.scope for f in files}) < len(files):
        raise ValueError("the bulk savers take files of one kind, one per cohort")
    done = already_applied(session, kind, [(f.cohort.scope, f.sha256) for f in files])
    return done, [(pos, f) for pos, f in enumerate(files) if pos not in done]


def already_applied(session: Session, kind: str, files: Sequence[tuple[str, str]]) -> dict[int, BatchCounts]:
    """Of these files (scope, SHA-256), by position, those that are already their scope's latest batch
    (as ``previous_batch`` decides, in one query for them all), with that batch's counts."""
    latest = latest_batches(session, kind, [scope for scope, _sha in files])
    out = {}
    for pos, (scope, sha256) in enumerate(files):
        done = latest.get(scope)
        if done is not None and done.sha256 == sha256:
            out[pos] = counts_of(done, already=True)
    return out


def latest_batches(session: Session, kind: str, scopes: Sequence[str]) -> dict[str, t.IngestBatch]:
    """The last batch of ``kind`` processed for each scope (scopes never processed are absent)."""
    out: dict[str, t.IngestBatch] = {}
    scopes = list(scopes)
    for start in range(0, len(scopes), 5_000):
        newest = (
            select(func.max(t.IngestBatch.id))
            .where(t.IngestBatch.kind == kind, t.IngestBatch.scope.in_(scopes[start : start + 5_000]))
            .group_by(t.IngestBatch.scope)
        )
        for batch in session.scalars(select(t.IngestBatch).where(t.IngestBatch.id.in_(newest))):
            out[batch.scope] = batch
    return out


def counts_of(batch: t.IngestBatch, already: bool) -> BatchCounts:
    return BatchCounts(
        batch.id,
        batch.file_name,
        batch.rows_read,
        batch.rows_accepted,
        batch.rows_quarantined,
        batch.rows_unchanged,
        0,
        already,
    )


def start_batch(
    session: Session, gated: Gated, scope: str, file_name: str, sha256: str, flow_run_id: str | None
) -> t.IngestBatch:
    return start_batches(session, [(gated, scope, file_name, sha256)], flow_run_id)[0]


def start_file_batches(session: Session, files: Sequence[CohortFile], flow_run_id: str | None) -> list[t.IngestBatch]:
    """``start_batches`` for the bulk savers' files (one per cohort), in their order."""
    return start_batches(session, [(f.gated, f.cohort.scope, f.file_name, f.sha256) for f in files], flow_run_id)


def start_batches(
    session: Session, files: Sequence[tuple[Gated, str, str, str]], flow_run_id: str | None
) -> list[t.IngestBatch]:
    """One batch row per (gated, scope, file name, sha256), inserted in one flush."""
    batches = [
        t.IngestBatch(
            kind=gated.kind,
            scope=scope,
            file_name=file_name,
            sha256=sha256,
            rows_read=gated.rows_read,
            rows_accepted=len(gated.accepted),
            rows_quarantined=len(gated.quarantined),
            rows_unchanged=0,
            flow_run_id=flow_run_id,
        )
        for gated, scope, file_name, sha256 in files
    ]
    session.add_all(batches)
    session.flush()
    return batches


def quarantine(session: Session, batch: t.IngestBatch, gated: Gated) -> None:
    """Store every rejected row exactly as read, with all its reasons."""
    quarantine_many(session, [(batch, gated)])


def quarantine_many(session: Session, items: Sequence[tuple[t.IngestBatch, Gated]]) -> None:
    """Store every rejected row of many batches exactly as read, with all its reasons.

    Rows still open from an earlier batch of the same file are closed: this batch holds them now.
    """
    if not items:
        return
    kind = items[0][0].kind
    new_ids = [b.id for b, _ in items]
    by_file = {(b.scope, b.sha256): b for b, _ in items}
    earlier = session.execute(
        select(t.IngestBatch.id, t.IngestBatch.scope, t.IngestBatch.sha256).where(
            t.IngestBatch.kind == kind,
            tuple_(t.IngestBatch.scope, t.IngestBatch.sha256).in_(list(by_file)),
            t.IngestBatch.id.not_in(new_ids),
        )
    ).all()
    for old_id, scope, sha in earlier:  # rare: the same file sent again after another one
        session.execute(
            update(t.QuarantinedRow)
            .where(t.QuarantinedRow.batch_id == old_id, t.QuarantinedRow.status == "open")
            .values(status="resolved", resolved_batch_id=by_file[(scope, sha)].id)
            .execution_options(synchronize_session=False)
        )
    rows = [
        {
            "batch_id": batch.id,
            "kind": gated.kind,
            "scope": batch.scope,
            "row_number": int(r.row_number),
            "subject_key": r.subject_key,
            "raw": r.raw,
            "reasons": [p.as_dict() for p in r.problems],
            "status": "open",
        }
        for batch, gated in items
        if len(gated.quarantined)  # most cohorts have none; iterating an empty frame still costs 0.3 ms
        for r in gated.quarantined.itertuples(index=False)
    ]
    insert_rows(session, t.QuarantinedRow.__table__, rows)


def resolve(
    session: Session,
    kind: str,
    scope: str,
    batch_id: int,
    subject_keys: Iterable[str],
    quarantine_ids: Iterable[object],
) -> int:
    """Close open quarantined rows that this batch fixed (same subject, or resubmitted by its id)."""
    keys = [k for k in set(subject_keys) if k]
    ids = sorted({int(i) for i in quarantine_ids if _is_int(i)})
    resolved = 0
    base = (
        (t.QuarantinedRow.kind == kind)
        & (t.QuarantinedRow.scope == scope)
        & (t.QuarantinedRow.status == "open")
        & (t.QuarantinedRow.batch_id != batch_id)
    )
    for column, values in ((t.QuarantinedRow.subject_key, keys), (t.QuarantinedRow.id, ids)):
        for start in range(0, len(values), 5_000):
            result = session.execute(
                update(t.QuarantinedRow)
                .where(base & column.in_(values[start : start + 5_000]))
                .values(status="resolved", resolved_batch_id=batch_id)
                .execution_options(synchronize_session=False)
            )
            resolved += result.rowcount or 0
    return resolved


def open_scopes(session: Session, kind: str, scopes: Sequence[str], exclude_batches: Sequence[int]) -> set[str]:
    """Which of these scopes have open quarantined rows of ``kind`` from batches other than ``exclude_batches``."""
    q = t.QuarantinedRow
    out: set[str] = set()
    scopes = list(scopes)
    for start in range(0, len(scopes), 5_000):
        stmt = select(q.scope).where(
            q.kind == kind,
            q.scope.in_(scopes[start : start + 5_000]),
            q.status == "open",
            q.batch_id.not_in(list(exclude_batches)),
        )
        out.update(session.scalars(stmt.distinct()))
    return out


def batch_quarantine(session: Session, batch_id: int) -> pd.DataFrame:
    """The rows one batch quarantined, in file order (id, row_number, raw, reasons)."""
    return batches_quarantine(session, [batch_id]).get(batch_id, pd.DataFrame(columns=QUARANTINE_COLUMNS))


QUARANTINE_COLUMNS = ["id", "row_number", "raw", "reasons"]


def batches_quarantine(session: Session, batch_ids: Sequence[int]) -> dict[int, pd.DataFrame]:
    """``batch_quarantine`` of many batches in one query per 5,000 batches (batch id -> rows, file order)."""
    q = t.QuarantinedRow
    rows = rows_in(
        session, select(q.batch_id, q.id, q.row_number, q.raw, q.reasons).order_by(q.row_number), q.batch_id, batch_ids
    )
    frame = pd.DataFrame(rows, columns=["batch_id", *QUARANTINE_COLUMNS])
    return {
        int(batch_id): part.drop(columns="batch_id").reset_index(drop=True)
        for batch_id, part in frame.groupby("batch_id", sort=False)
    }


def new_quarantine(session: Session, counts: Iterable[BatchCounts]) -> dict[int, pd.DataFrame]:
    """The quarantined rows of the batches just saved that have any (batch id -> rows): what a file to fix
    is written for. A file already processed started no batch and gets no second file."""
    return batches_quarantine(session, [c.batch_id for c in counts if c.rows_quarantined and not c.already_processed])


def open_quarantine(session: Session, scope: str | None = None) -> pd.DataFrame:
    """Quarantined rows still waiting for a fix, oldest first."""
    stmt = (
        select(
            t.QuarantinedRow.id,
            t.QuarantinedRow.kind,
            t.QuarantinedRow.scope,
            t.QuarantinedRow.row_number,
            t.QuarantinedRow.reasons,
            t.QuarantinedRow.raw,
            t.IngestBatch.file_name,
            t.IngestBatch.created_at,
        )
        .join(t.IngestBatch, t.QuarantinedRow.batch_id == t.IngestBatch.id)
        .where(t.QuarantinedRow.status == "open")
        .order_by(t.IngestBatch.created_at, t.QuarantinedRow.id)
    )
    if scope:
        stmt = stmt.where(t.QuarantinedRow.scope == scope)
    return pd.DataFrame(
        session.execute(stmt).all(),
        columns=["id", "kind", "scope", "row_number", "reasons", "raw", "file_name", "created_at"],
    )


def _is_int(value: object) -> bool:
    try:
        int(str(value))
        return True
    except ValueError:
        return False
