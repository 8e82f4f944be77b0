"""Writing tables operators open in Excel, safely: text cells never become formulas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diklat.io.xlsx_table import write_xlsx, write_xlsx_columns

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


def write_records(records: list[dict[str, Any]], path: Path) -> Path:
    """``write_table`` of a few rows given as records (columns in order of first appearance).

    Without a DataFrame: building one, neutralising it cell by cell and taking it apart again cost
    ~25 ms for a 30-row rejected-rows file, 334 of them at a national opening (issue #17).
    """
    header = list(dict.fromkeys(key for record in records for key in record))
    columns = [[neutralise(record.get(key)) for record in records] for key in header]
    safe_header = [neutralise(str(key)) for key in header]
    if path.suffix.lower() != ".xlsx":
        return write_table(pd.DataFrame(dict(enumerate(columns))).set_axis(safe_header, axis=1), path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx_columns(safe_header, columns, path)
