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


MESSAGE_KEY = "invite:{id}"


def message_key(invitation_id: int) -> str:
    """The outbox key of an invitation's e-mail: one message per invitation, ever."""
    return MESSAGE_KEY.format(id=invitation_id)


def invitation_of_key(key: str) -> int | None:
    prefix = MESSAGE_KEY.split("{")[0]
    return int(key[len(prefix) :]) if key.startswith(prefix) and key[len(prefix) :].isdigit() else None
