"""Names derived from labels: artifact keys, folder names, limit names."""

from __future__ import annotations

import re


def slug(text: str) -> str:
    """Lowercase letters, digits and dashes only (what Prefect artifact keys allow)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
