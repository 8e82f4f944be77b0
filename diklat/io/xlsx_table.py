"""Write one table as a one-sheet .xlsx, directly as the OOXML parts (issue #17).

openpyxl (through pandas) took ~12 ms for a two-row rejected-rows file, most of it building and
zipping a workbook's full set of parts (theme, styles, properties): 4 s of a national opening's
334 rejected-rows files. The table files diklat writes need little of that: one sheet, a bold
header, text as text (inline strings: never a formula, never a number), numbers as numbers, dates
as dates, column widths. Written here, a file is ~2 ms, and the sheet streams into the zip, so a
large table is never held as one string.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

SHEET = "Sheet1"  # what pandas names the sheet of ``to_excel``: readers of older files expect it
MIN_WIDTH, MAX_WIDTH = 10, 60
EXCEL_EPOCH = datetime(1899, 12, 30)

# Styles: 0 plain, 1 bold (the header), 2 a date, 3 a date and time.
_PLAIN, _BOLD, _DATE, _DATETIME = 0, 1, 2, 3

# XML 1.0 cannot carry these; OOXML writes any character as _xHHHH_ (and a literal "_xHHHH_" as
# "_x005F_xHHHH_" so that it is not read back as an escape).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_PARTS = {
    "[Content_Types].xml": _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>",
    "_rels/.rels": _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    f'<sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>",
    "xl/styles.xml": _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as a one-sheet workbook: the header row in bold, then one row per frame row."""
    # By position: two columns may share a name (a file's repeated header).
    columns = [frame.iloc[:, j].astype(object).tolist() for j in range(frame.shape[1])]
    return write_xlsx_columns([str(column) for column in frame.columns], columns, path)


def write_xlsx_columns(header: list[str], columns: list[list[Any]], path: Path) -> Path:
    """``write_xlsx`` of plain columns (one list of values per header), for callers without a frame."""
    rows = zip(*columns, strict=True) if columns else iter(())
    widths = [_width(name, values) for name, values in zip(header, columns, strict=True)]
    letters = [_letter(j) for j in range(len(header))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            _sheet(sheet, header, rows, widths, letters)
    return path


def _sheet(
    out: IO[bytes], header: list[str], rows: Iterable[Sequence[Any]], widths: list[int], letters: list[str]
) -> None:
    write = out.write
    write(f'{_HEAD}<worksheet xmlns="{_MAIN}">'.encode())
    if widths:
        cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>' for j, w in enumerate(widths, start=1))
        write(f"<cols>{cols}</cols>".encode())
    write(b"<sheetData>")
    write(_row(1, header, letters, _BOLD).encode())
    batch: list[str] = []
    for number, values in enumerate(rows, start=2):
        batch.append(_row(number, values, letters, _PLAIN))
        if len(batch) >= 1_000:
            write("".join(batch).encode())
            batch.clear()
    write("".join(batch).encode())
    write(b"</sheetData></worksheet>")


def _row(number: int, values: Sequence[Any], letters: list[str], style: int) -> str:
    cells = []
    for letter, value in zip(letters, values, strict=True):
        cell = _cell(f"{letter}{number}", value, style)
        if cell:
            cells.append(cell)
    return f'<row r="{number}">{"".join(cells)}</row>'


def _cell(ref: str, value: Any, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    if _blank(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | np.integer):
        return f'<c r="{ref}"{styled}><v>{int(value)}</v></c>'
    if isinstance(value, float | np.floating | Decimal):
        if isinstance(value, Decimal):
            if value.is_infinite():
                return _text(ref, str(value), style)
            return f'<c r="{ref}"{styled}><v>{format(value, "f")}</v></c>'
        number = float(value)
        if math.isinf(number):
            return _text(ref, str(number), style)
        return f'<c r="{ref}"{styled}><v>{number!r}</v></c>'
    if isinstance(value, datetime):  # pd.Timestamp is one too; before date, which datetime also is
        stamp = value.replace(tzinfo=None) if value.tzinfo else value
        serial = (stamp - EXCEL_EPOCH).total_seconds() / 86_400
        return f'<c r="{ref}" s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    return _text(ref, str(value), style)


def _text(ref: str, text: str, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _width(header: str, values: list[Any]) -> int:
    """As wide as the longest text in the column (header included), within [10, 60] characters."""
    longest = max((len(str(v)) for v in values if not _blank(v)), default=0)
    return min(MAX_WIDTH, max(MIN_WIDTH, max(longest, len(header)) + 2))


def _blank(value: Any) -> bool:
    """None, NaN (float, numpy or Decimal), NaT and NA: an empty cell."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, Decimal) and value.is_nan()


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
