"""Storing what the gate made of a coaches or examiners list: its batch and its quarantined rows.

The people accepted are used by the caller (coaches assigned, examiners registered); what is kept
here is the record every file gets: rows read = accepted + quarantined, the rejected rows with their
reasons until a corrected file resolves them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from diklat.domain.gated import BatchCounts, Gated
from diklat.store.batches import counts_of, previous_batch, quarantine, resolve, start_batch
from diklat.store.cohorts import CohortRef


def save_staff_list(
    session: Session, gated: Gated, cohort: CohortRef, file_name: str, sha256: str, flow_run_id: str | None
) -> BatchCounts:
    """Record the file for this cohort once; a corrected file resolves the rows it fixes."""
    done = previous_batch(session, gated.kind, cohort.scope, sha256)
    if done is not None:
        return counts_of(done, already=True)
    batch = start_batch(session, gated, cohort.scope, file_name, sha256, flow_run_id)
    quarantine(session, batch, gated)
    accepted = gated.accepted
    ids = accepted["quarantine_id"].dropna().tolist() if "quarantine_id" in accepted else []
    resolved = resolve(session, gated.kind, cohort.scope, batch.id, accepted["nip"].dropna().tolist(), ids)
    counts = counts_of(batch, already=False)
    return BatchCounts(**{**counts.__dict__, "rows_resolved": resolved})
