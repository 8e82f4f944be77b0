"""Cohort leases: a write lock per cohort kept in diklat's own database, with an owner and an expiry.

Taking a lease is one conditional UPDATE ... RETURNING on the lease's row, so two takers can never
both win: on PostgreSQL the second waits on the row lock and then finds the lease held; on SQLite
writers are serialised. The row is created on first use and kept, so the UPDATE always has a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_or_ignore
from schemas import tables as t


@dataclass(frozen=True)
class Holder:
    """Who holds (or wants) a lease: a token unique to one holding, and where it runs."""

    owner: str
    run_id: str | None
    run_name: str | None
    host: str
    pid: int
    acquired_at: datetime | None = None
    expires_at: datetime | None = None


def take(
    session: Session, key: str, me: Holder, now: datetime, ttl: timedelta, take_over: str | None = None
) -> Holder | None:
    """Take the lease if it is free or already mine, or (compare-and-swap) still held by ``take_over``.

    ``take_over`` is the owner token of a holder the caller found expired or dead: naming it exactly
    means a holder that renewed or released in between is never taken over by mistake.
    Returns None when taken, else the holder that keeps it.
    """
    lease = t.CohortLease
    insert_or_ignore(session, lease.__table__, {"key": key}, ["key"])
    free = [lease.owner.is_(None), lease.owner == me.owner]
    if take_over:
        free.append(lease.owner == take_over)
    taken = session.execute(
        update(lease)
        .where(lease.key == key, or_(*free))
        .values(
            owner=me.owner,
            run_id=me.run_id,
            run_name=me.run_name,
            host=me.host,
            pid=me.pid,
            acquired_at=now,
            expires_at=now + ttl,
        )
        .returning(lease.key)
    ).first()
    return None if taken else holder(session, key)


def holder(session: Session, key: str) -> Holder | None:
    """The lease's current holder, or None when it is free."""
    row = session.execute(select(t.CohortLease).where(t.CohortLease.key == key)).scalar_one_or_none()
    if row is None or row.owner is None:
        return None
    return Holder(row.owner, row.run_id, row.run_name, row.host or "", row.pid or 0, row.acquired_at, row.expires_at)


def renew(session: Session, key: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Push the expiry on; False when the lease is no longer ours (it expired and was taken over)."""
    lease = t.CohortLease
    renewed = session.execute(
        update(lease).where(lease.key == key, lease.owner == owner).values(expires_at=now + ttl).returning(lease.key)
    ).first()
    return renewed is not None


def release(session: Session, key: str, owner: str) -> None:
    """Give the lease back (only if it is still ours)."""
    lease = t.CohortLease
    session.execute(
        update(lease)
        .where(lease.key == key, lease.owner == owner)
        .values(owner=None, run_id=None, run_name=None, host=None, pid=None, acquired_at=None, expires_at=None)
    )
