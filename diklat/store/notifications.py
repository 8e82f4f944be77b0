"""Notification outbox: planned in the check's transaction, marked sent after delivery."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.notify import Message
from schemas import tables as t


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
    rows = session.execute(
        select(t.Notification).where(t.Notification.status == "pending").order_by(t.Notification.id)
    ).scalars()
    return [(n.id, Message(n.key, n.channel, n.recipient, n.subject, n.body)) for n in rows]


def mark_sent(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(
            update(t.Notification)
            .where(t.Notification.id.in_(ids))
            .values(status="sent", sent_at=func.current_timestamp())
        )
