"""The only place that reads the clock: rules get "today" as a parameter."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def today_in(timezone: str) -> date:
    """Today's date at the agency (Asia/Jakarta by default), not the server's UTC date."""
    return datetime.now(ZoneInfo(timezone)).date()
