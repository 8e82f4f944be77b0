"""Storing what the gate made of a coaches or examiners list: its batch and its quarantined rows.

The people accepted are used by the caller (coaches assigned, examiners registered); what is kept
here is the record every file gets: rows read = accepted + quarantined, the rejected rows with their
reasons until a corrected file resolves them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from diklat.domain.gated import BatchCounts, Gated
from diklat.store.batches import CohortFile, open_scopes, pending, quarantine_many, resolve, start_file_batches
from diklat.store.cohorts import CohortRef


def save_staff_list(
    session: Session, gated: Gated, cohort: CohortRef, file_name: str, sha256: str, flow_run_id: str | None
) -> BatchCounts:
    """Record the file for this cohort once; a corrected file resolves the rows it fixes."""
    return save_staff_lists(session, [CohortFile(gated, cohort, file_name, sha256)], flow_run_id)[0]


def save_staff_lists(session: Session, files: Sequence[CohortFile], flow_run_id: str | None) -> list[BatchCounts]:
    """``save_staff_list`` for many cohorts' lists of one kind, with a fixed number of statements.

    A coaches list per cohort cost four round trips each, 3,334 times when a national intake opens
    (issue #17); here one query finds the files already recorded, one flush starts every batch, one
    insert stores the quarantine, and only scopes with open rows are resolved.
    """
    if not files:
        return []
    kind = files[0].gated.kind
    out, todo = pending(session, files)
    if not todo:
        return [out[pos] for pos in range(len(files))]
    batches = start_file_batches(session, [f for _, f in todo], flow_run_id)
    quarantine_many(session, [(b, f.gated) for (_, f), b in zip(todo, batches, strict=True)])
    waiting = open_scopes(session, kind, [f.cohort.scope for _, f in todo], [b.id for b in batches])
    for (pos, f), batch in zip(todo, batches, strict=True):
        resolved = 0
        if f.cohort.scope in waiting:
            accepted = f.gated.accepted
            ids = accepted["quarantine_id"].dropna().tolist() if "quarantine_id" in accepted else []
            resolved = resolve(session, kind, f.cohort.scope, batch.id, accepted["nip"].dropna().tolist(), ids)
        g = f.gated
        out[pos] = BatchCounts(batch.id, f.file_name, g.rows_read, len(g.accepted), len(g.quarantined), 0, resolved)
    return [out[pos] for pos in range(len(files))]
