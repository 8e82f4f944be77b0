"""The audit log: every change to recorded facts, with old and new values and its source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from diklat.db.bulk import insert_rows
from schemas import tables as t


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    source: str | None = None,
) -> None:
    session.add(
        t.AuditLog(
            actor=actor, action=action, entity=entity, entity_key=key, old_value=old, new_value=new, source=source
        )
    )


def audit_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk audit entries (keys: actor, action, entity, entity_key, old_value, new_value, source)."""
    insert_rows(session, t.AuditLog.__table__, rows)
