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
    # Headers come from operators' files too (a rejected-rows file keeps the original header).
    header = [neutralise(str(column)) for column in frame.columns]
    if path.suffix.lower() == ".xlsx":
        columns = [[None if _missing(v) else neutralise(v) for v in frame[c].tolist()] for c in frame.columns]
        _write_xlsx(header, columns, path)
    else:
        safe = frame.map(neutralise)
        safe.columns = header
        safe.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _write_xlsx(header: list[str], columns: list[list], path: Path) -> None:
    """One sheet, every text cell stored as text, columns as wide as their longest value (10-60).

    Straight to openpyxl's write-only workbook: a national intake writes hundreds of small
    rejected-rows files, and pandas' writer plus a normal workbook cost about 9 ms each (issue #17).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    for number, (name, values) in enumerate(zip(header, columns, strict=True), start=1):
        width = max([len(name), *(len(str(v)) for v in values if v is not None)])
        sheet.column_dimensions[get_column_letter(number)].width = min(60, max(10, width + 2))

    def cells(values: list) -> list:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # NIPs stay text; "#N/A" or "=..." never become errors or formulas
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in zip(*columns, strict=True):
        sheet.append(cells(list(row)))
    book.save(path)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT
