"""Writing tables operators open in Excel, safely: text cells never become formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from diklat.io.xlsx_table import write_xlsx

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula (CSV/formula injection, OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write .xlsx (all text cells as text, diklat.io.xlsx_table) or .csv (UTF-8 with BOM so Excel shows accents)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.map(neutralise)
    # Headers come from operators' files too (a rejected-rows file keeps the original header).
    safe.columns = [neutralise(str(column)) for column in safe.columns]
    if path.suffix.lower() == ".xlsx":
        write_xlsx(safe, path)
    else:
        safe.to_csv(path, index=False, encoding="utf-8-sig")
    return path
