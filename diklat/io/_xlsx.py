"""Read the cells of an XLSX sheet fast: openpyxl for the workbook structure, a lean loop for cells."""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime, time
from typing import IO
from xml.etree.ElementTree import Element, iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from diklat.io.headers import header_key

_NS = f"{{{SHEET_MAIN_NS}}}"
_SI, _T, _R, _C, _V, _IS, _ROW = (_NS + tag for tag in ("si", "t", "r", "c", "v", "is", "row"))

Rows = list[list[str | None]]


class UnreadableWorkbook(Exception):
    """The bytes are not a workbook that can be opened (corrupt, encrypted, another format)."""


def xlsx_rows(data: bytes, preferred_sheet: str | None = None) -> Rows:
    """Cell texts of the visible sheet titled like ``preferred_sheet`` (else the first visible one).

    List index i is spreadsheet row i + 1; an empty row is [].
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions we never use
            reader = _Reader(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key, value) for a bad workbook
        raise UnreadableWorkbook from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheets = reader.load()
        if not sheets:
            return []
        wanted = header_key(preferred_sheet or "") or None
        part = next((part for title, part in sheets if header_key(title) == wanted), sheets[0][1])
        book = reader.wb
        context = (reader.shared_strings, book._date_formats, book._timedelta_formats, book.epoch)
        with reader.archive.open(part) as src:
            return _rows(src, context)
    except Exception as exc:
        raise UnreadableWorkbook from exc
    finally:
        reader.archive.close()


class _Reader(ExcelReader):
    """openpyxl's workbook reader without its per-cell and per-string objects (100k rows took ~12 s).

    Uses openpyxl 3.1 internals (the version is pinned in pyproject).
    """

    def load(self) -> list[tuple[str, str]]:
        """Read strings, workbook and styles; return (title, part path) of the visible worksheets."""
        self.read_manifest()
        self.read_strings()
        self.read_workbook()
        apply_stylesheet(self.archive, self.wb)  # which cell styles are dates, for from_excel
        return [
            (sheet.name, rel.target)
            for sheet, rel in self.parser.find_sheets()
            if sheet.state == "visible" and rel.target in self.valid_files and "chartsheet" not in rel.Type
        ]

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            return
        with self.archive.open(part.PartName[1:]) as src:
            for _, node in iterparse(src):
                if node.tag == _SI:
                    self.shared_strings.append(_text(node))
                    node.clear()


def _text(node: Element) -> str:
    """A string item's text: plain <t> plus rich-text runs; phonetic <rPh> hints are not shown."""
    return (node.findtext(_T) or "") + "".join(run.findtext(_T) or "" for run in node.iterfind(_R))


def _rows(src: IO[bytes], context: tuple) -> Rows:
    rows: Rows = []
    row: list[str | None] = []
    for _, element in iterparse(src):
        if element.tag == _C:
            value = _value(element, *context)
            ref = element.get("r")
            # Cells and rows may be omitted from the XML; their positions come from the r="B7" refs.
            column = column_index_from_string(ref.rstrip("0123456789")) - 1 if ref else len(row)
            if column < len(row):
                row[column] = value
            else:
                row.extend([None] * (column - len(row)))
                row.append(value)
            element.clear()
        elif element.tag == _ROW:
            number = int(element.get("r") or len(rows) + 1)
            rows.extend([] for _ in range(number - 1 - len(rows)))
            rows.append(row)
            row = []
            element.clear()
    return rows


def _value(cell: Element, strings: list, date_styles, duration_styles, epoch) -> str | None:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        node = cell.find(_IS)
        return render(_text(node)) if node is not None else None
    raw = cell.findtext(_V)
    if not raw:  # also a formula without a cached result
        return None
    if kind == "s":
        return render(strings[int(raw)])
    if kind == "b":
        return render(raw == "1")
    if kind == "d":
        return render(from_ISO8601(raw))
    if kind != "n":  # "str" (a formula's text result) and "e" (#N/A and friends) as shown
        return render(raw)
    number = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
    style = int(cell.get("s") or 0)
    if style in date_styles:
        try:
            return render(from_excel(number, epoch, timedelta=style in duration_styles))
        except (OverflowError, ValueError):
            pass  # a serial outside Excel's dates: show the number itself
    return render(number)


def render(value: object) -> str | None:
    """Render one Excel value as the text the operator sees in the cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if abs(value) >= 1e15:
            # Beyond 15 significant digits Excel has already lost the NIP's last digits; show the
            # number as Excel does (1.98001012005011E+17) so validation can say so.
            mantissa, exponent = f"{value:.14E}".split("E")
            mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")
    return str(value).strip() or None
