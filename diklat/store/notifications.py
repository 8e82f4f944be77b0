"""Notification outbox: planned in the check's transaction, marked sent after delivery."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.notify import Message
from schemas import tables as t

# Longer than any delivery takes to hand its batch to the server; then an unconfirmed claim is retried.
CLAIM_TIMEOUT = timedelta(minutes=15)


def plan(session: Session, messages: list[Message]) -> None:
    """Record messages as pending; a key already recorded (sent or not) is left alone."""
    upsert(
        session,
        t.Notification.__table__,
        [
            {
                "key": m.key,
                "channel": m.channel,
                "recipient": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "status": "pending",
            }
            for m in messages
        ],
        ["key"],
    )


def pending(session: Session) -> list[tuple[int, Message]]:
    """Messages planned and not yet claimed by a delivery (what the operator's status shows as waiting)."""
    rows = session.execute(
        select(t.Notification).where(t.Notification.status == "pending").order_by(t.Notification.id)
    ).scalars()
    return [(n.id, Message(n.key, n.channel, n.recipient, n.subject, n.body)) for n in rows]


def claim(
    session: Session,
    channels: Iterable[str],
    now: datetime,
    claimer: str,
    dead: Collection[str] = (),
    stale_after: timedelta = CLAIM_TIMEOUT,
    keys: Collection[str] | None = None,
) -> list[tuple[int, Message]]:
    """Take every pending message of these channels, atomically: a concurrent delivery gets none of them.

    One UPDATE ... RETURNING: on PostgreSQL a second delivery waits on the rows the first claimed and
    then finds them no longer pending; on SQLite writers are serialised. A message claimed by a
    delivery that died before confirming it is claimed again at once when its claimer is among
    ``dead`` (a process of this host that is gone), else once ``stale_after`` has passed. Only the
    message that delivery had in flight can go out twice: it confirmed every earlier one as it went.
    ``keys`` limits the claim to these messages (the public pages send the invitations they just made).
    """
    n = t.Notification
    abandoned = (n.claimed_at < now - stale_after) | n.claimed_by.in_(list(dead))
    stmt = (
        update(n)
        .where(n.channel.in_(list(channels)))
        .where((n.status == "pending") | ((n.status == "sending") & abandoned))
        .where(n.key.in_(list(keys)) if keys is not None else True)
        .values(status="sending", claimed_at=now, claimed_by=claimer)
        .returning(n.id, n.key, n.channel, n.recipient, n.subject, n.body)
    )
    rows = sorted(session.execute(stmt).all())
    return [
        (nid, Message(key, channel, recipient, subject, body)) for nid, key, channel, recipient, subject, body in rows
    ]


def claimers(session: Session) -> set[str]:
    """Who holds messages claimed and not yet confirmed ("host:pid")."""
    n = t.Notification
    return set(session.scalars(select(n.claimed_by).where(n.status == "sending", n.claimed_by.is_not(None)).distinct()))


def mark_sent(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(
            update(t.Notification)
            .where(t.Notification.id.in_(ids))
            .values(status="sent", sent_at=func.current_timestamp())
        )


def mark_bounced(session: Session, ids: list[int]) -> None:
    """The mail server refused the recipient: kept as ``bounced`` (never retried, shown to the operator)."""
    if ids:
        session.execute(update(t.Notification).where(t.Notification.id.in_(ids)).values(status="bounced"))
