"""What counts as an empty cell, in every column of every operator's file."""

from __future__ import annotations


def is_missing(raw: object) -> bool:
    """None, NaN, pandas NA/NaT and blank text count as empty."""
    if raw is None:
        return True
    try:
        if raw != raw:  # NaN-likes are not equal to themselves
            return True
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return True
    return isinstance(raw, str) and not raw.strip()
