"""Markdown for Prefect artifacts: pure text builders shared by every report (no Prefect here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def table_row(cells: Iterable[object]) -> str:
    """One row of a markdown table."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric_from: int = 1) -> list[str]:
    """Header, alignment line (columns from ``numeric_from`` right-aligned) and rows."""
    align = ["---" if i < numeric_from else "---:" for i in range(len(headers))]
    return [table_row(headers), table_row(align).replace(" ", "")] + [table_row(r) for r in rows]
