"""An invitation to answer one questionnaire, as plain data: what the pages, the outbox and reports share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class Invitation:
    """An invitation as the public pages and the outbox need it (plain data, safe outside the session)."""

    id: int
    cohort_id: int
    wave: str
    alumnus_nip: str
    role: str
    respondent_key: str
    email: str
    nonce: str
    expires_on: date
    opened: bool
    answered: bool
    draft: dict[str, Any] | None


def expiry(today: date, days: int) -> date:
    """The last day a link sent today is valid."""
    return today + timedelta(days=days)


MESSAGE_KEY = "invite:{id}:{nonce}"


def message_key(invitation: Invitation) -> str:
    """The outbox key of an invitation's e-mail: one message per link, ever (a new link after a bounce is
    a new nonce, so a new message)."""
    return MESSAGE_KEY.format(id=invitation.id, nonce=invitation.nonce)


def invitation_of_key(key: str) -> int | None:
    """The invitation an outbox key belongs to (None: not an invitation's e-mail)."""
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[0] == "invite" and parts[1].isdigit() else None
