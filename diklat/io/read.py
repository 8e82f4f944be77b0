"""Read an operator's CSV or Excel file into a table of stripped strings with canonical column names."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from diklat.domain.problems import FileProblem, Problem
from diklat.i18n import N_
from diklat.io.headers import alias_index, header_key, match_headers
from schemas.files import FileSpec

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (";", ",", "\t", "|")  # order breaks ties: Indonesian Excel exports use ";"
ROW_NUMBER = "row_number"


@dataclass(frozen=True)
class RawTable:
    """One uploaded file: its identity, its rows as strings, and how its headers were matched."""

    file_name: str
    sha256: str
    frame: pd.DataFrame
    headers: dict[str, str]
    header_row: int = 1  # spreadsheet row of the header (title rows above it are skipped)
    footer_rows: tuple[int, ...] = ()  # rows under the table taken as its footer (signatures, totals), skipped

    @property
    def layout(self) -> tuple[int, tuple[int, ...]]:
        """Where the table was found: its header row and the footer rows skipped (for the ingest report)."""
        return self.header_row, self.footer_rows


def read_table(path: Path, spec: FileSpec) -> RawTable:
    """Read a CSV/TXT/XLSX/XLSM file; raise FileProblem when it cannot be used as a whole."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _problem("file.not_found", name)
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise _problem("file.unsupported_type", name, suffix=suffix)
    # An OSError here (file locked, share unavailable) propagates: the task retries it as transient.
    data = path.read_bytes()
    rows = _csv_rows(data, name) if suffix in CSV_SUFFIXES else _xlsx_rows(data, name, spec.kind)
    frame, headers, header_row, footer = _build_frame(rows, spec, name)
    return RawTable(name, hashlib.sha256(data).hexdigest(), frame, headers, header_row, footer)


def read_rows(path: Path) -> tuple[str, str, list[list[str | None]]]:
    """File name, SHA-256 and every row as text cells (index i is spreadsheet row i + 1): for files
    whose columns are not a fixed set, such as survey form exports."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _problem("file.not_found", path.name)
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise _problem("file.unsupported_type", path.name, suffix=suffix)
    data = path.read_bytes()
    rows = _csv_rows(data, path.name) if suffix in CSV_SUFFIXES else _xlsx_rows(data, path.name, "")
    return path.name, hashlib.sha256(data).hexdigest(), rows


def first_rows(path: Path, limit: int = 12) -> tuple[str, list[list[str | None]]]:
    """The file's SHA-256 and its first ``limit`` non-empty rows, for telling what kind of file it is."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise _problem("file.unsupported_type", path.name, suffix=suffix)
    data = path.read_bytes()
    rows = _csv_rows(data, path.name) if suffix in CSV_SUFFIXES else _xlsx_rows(data, path.name, "")
    return hashlib.sha256(data).hexdigest(), [row for row in rows if any(row)][:limit]


def _problem(code: str, file_name: str, **params: object) -> FileProblem:
    return FileProblem(Problem(code, params={"file": file_name, **params}), file_name)


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" export is UTF-16
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters mean a binary file (a renamed .xlsx, a PDF), not a text export.
        if any(ch < " " and ch not in "\t\r\n\f" for ch in text[:4096]):
            break
        return text
    raise _problem("file.unreadable", name, detail=N_("the file is not a text (CSV) file"))


def _counts(line: str) -> dict[str, int]:
    """Candidate delimiters outside quotes in one line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return counts


def _delimiter(line: str) -> str:
    """The delimiter of the header line, by counting candidates; csv.Sniffer guesses badly."""
    counts = _counts(line)
    best = max(DELIMITERS, key=lambda d: counts[d])  # max() keeps the first of equals
    return best if counts[best] else ","


def _csv_rows(data: bytes, name: str) -> list[list[str | None]]:
    text = _decode(data, name)
    # The widest of the first lines is the header (a title line above it has no delimiter at all).
    lines = [line for line in itertools.islice(io.StringIO(text), 200) if line.strip()][:HEADER_SEARCH_ROWS]
    header_line = max(lines, key=lambda line: max(_counts(line).values()), default="")
    # The csv module yields only strings (NIPs and phone numbers never become numbers), accepts
    # ragged rows, and counts a quoted multi-line cell as one record, as a spreadsheet shows it.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    try:
        return [[_clean(value) for value in record] for record in reader]
    except csv.Error:
        raise _problem("file.unreadable", name, detail=N_("the file is not a valid CSV file")) from None


def _clean(value: str) -> str | None:
    return value.strip() or None


def _xlsx_rows(data: bytes, name: str, kind: str) -> list[list[str | None]]:
    from diklat.io._xlsx import UnreadableWorkbook, xlsx_rows  # openpyxl only where a workbook is read

    try:
        return xlsx_rows(data, preferred_sheet=kind)
    except UnreadableWorkbook:
        raise _problem("file.unreadable", name, detail=N_("the file is not a valid Excel workbook")) from None


HEADER_SEARCH_ROWS = 15  # a title block (agency, title, period, blank rows, a logo row) is never longer
FOOTER_MOST_ROWS = 12  # a signature block: place and date, "Mengetahui", title, blank, name, NIP
FOOTER_MOST_CELLS = 2  # a footer line fills one or two cells; a participant's row fills most columns
# Words only a footer has: not "Kepala" or "Plt." (a participant's position says those too).
FOOTER_WORDS = ("mengetahui", "nip.", "nip ", "jumlah", "total", "ttd", "tanda tangan", "a.n.")


def header_row_index(rows: list[list[str | None]], spec: FileSpec) -> int | None:
    """Which of the first rows is the header: the one matching the most of the format's columns, of
    those that hold every required one (else of all); the earliest of equals. None: no non-empty row."""
    index = alias_index(spec)
    required = {c.name for c in spec.required}
    every = set(index.values())
    best: tuple[bool, int, int] | None = None
    best_index = None
    candidates = [i for i, row in enumerate(rows) if any(row)][:HEADER_SEARCH_ROWS]
    for i in candidates:
        found = {index[k] for k in (header_key(v) for v in rows[i] if v) if k in index}
        if found == every:  # nothing later can score higher: at most equal, and the earliest of equals wins
            return i
        score = (required <= found, len(found), -i)
        if best is None or score > best:
            best, best_index = score, i
    if best is not None and best[1] == 0:  # nothing matches anywhere: the first row, whose message helps
        return candidates[0]
    return best_index


def footer_start(body: list[tuple[int, list[str | None]]], header_width: int) -> int:
    """Where the table's footer begins in its body (``len(body)``: no footer).

    The footer is the run of trailing rows that are each sparse (at most two cells, and fewer than half
    the header's columns: place and date, "Mengetahui,", a title, a name, "NIP. …", a total) under a row
    that fills at least half of them, and that says it is a footer (one of FOOTER_WORDS). A longer run
    than a signature block, or one with no full row above it, is data: its rows are quarantined one by
    one, never skipped.
    """

    def filled(row: list[str | None]) -> int:
        return sum(1 for v in row if v)

    def sparse(row: list[str | None]) -> bool:
        return filled(row) <= FOOTER_MOST_CELLS and filled(row) * 2 < header_width

    end = len(body)
    while end > 0 and sparse(body[end - 1][1]):
        end -= 1
    run = len(body) - end
    if run == 0 or run > FOOTER_MOST_ROWS or end == 0:
        return len(body)
    # A footer says what it is ("Mengetahui", "Kepala …", "NIP. …", "Jumlah"); a lone value such as a
    # position is a participant's incomplete row, quarantined with its reasons.
    words = " ".join(str(v) for _, row in body[end:] for v in row if v).lower()
    if not any(word in words for word in FOOTER_WORDS):
        return len(body)
    return end if filled(body[end - 1][1]) * 2 >= header_width else len(body)


def _build_frame(
    rows: list[list[str | None]], spec: FileSpec, name: str
) -> tuple[pd.DataFrame, dict, int, tuple[int, ...]]:
    start = header_row_index(rows, spec)
    if start is None:
        raise _problem("file.empty", name, reason="no_header")
    width = max(len(row) for row in rows[start:])
    header_row = list(rows[start]) + [None] * (width - len(rows[start]))
    # (spreadsheet row number, padded values) for every data row that has at least one value
    body = [(i + 1, row + [None] * (width - len(row))) for i, row in enumerate(rows) if i > start and any(row)]
    cut = footer_start(body, sum(1 for v in header_row if v))
    footer = tuple(number for number, _ in body[cut:])
    body = body[:cut]
    keep = [j for j in range(width) if header_row[j] or any(r[j] for _, r in body)]
    labels = [(header_row[j] or "").replace("\ufeff", "").strip() for j in keep]
    mapping = match_headers([label for label in labels if label], spec, name)
    if not body:
        raise _problem("file.empty", name, reason="no_rows")

    names: list[str] = []
    headers: dict[str, str] = {}
    for j, label in zip(keep, labels, strict=True):
        column = mapping[label] if label else f"column_{j + 1}"  # data under a blank header
        unique, n = column, 1
        while unique in names or unique == ROW_NUMBER:  # repeated unknown headers stay distinct
            n += 1
            unique = f"{column} ({n})"
        names.append(unique)
        headers.setdefault(label or unique, unique)

    # One 2-D object block, not a Series per column: ~1 ms less a file, 3,334 files at a national
    # opening (issue #17). Object dtype: pandas 3 would otherwise infer its string dtype and turn None into NaN.
    cells = np.array([row for _, row in body], dtype=object).reshape(len(body), width)[:, keep]
    frame = pd.DataFrame(cells, columns=names, dtype=object)
    frame.insert(0, ROW_NUMBER, np.array([number for number, _ in body], dtype="int64"))
    return frame, headers, start + 1, footer
