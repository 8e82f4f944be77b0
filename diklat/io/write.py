"""Writing tables operators open in Excel, safely: text cells never become formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula (CSV/formula injection, OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write .xlsx (all text cells as text) or .csv (UTF-8 with BOM so Excel shows accents)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.map(neutralise)
    # Headers come from operators' files too (a rejected-rows file keeps the original header).
    safe.columns = [neutralise(str(column)) for column in safe.columns]
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            safe.to_excel(writer, index=False)
            sheet = writer.sheets["Sheet1"]
            for row in sheet.iter_rows(min_row=1):
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # NIPs stay text, never become numbers
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    else:
        safe.to_csv(path, index=False, encoding="utf-8-sig")
    return path
