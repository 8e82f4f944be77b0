"""Read an operator's CSV or Excel file into a table of stripped strings with canonical column names."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diklat.domain.problems import FileProblem, Problem
from diklat.i18n import N_
from diklat.io._xlsx import UnreadableWorkbook, xlsx_rows
from diklat.io.headers import match_headers
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
    frame, headers = _build_frame(rows, spec, name)
    return RawTable(name, hashlib.sha256(data).hexdigest(), frame, headers)


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


def _delimiter(line: str) -> str:
    """Count candidate delimiters outside quotes in the header line; csv.Sniffer guesses badly."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max() keeps the first of equals
    return best if counts[best] else ","


def _csv_rows(data: bytes, name: str) -> list[list[str | None]]:
    text = _decode(data, name)
    header_line = next((line for line in io.StringIO(text) if line.strip()), "")
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
    try:
        return xlsx_rows(data, preferred_sheet=kind)
    except UnreadableWorkbook:
        raise _problem("file.unreadable", name, detail=N_("the file is not a valid Excel workbook")) from None


def _build_frame(rows: list[list[str | None]], spec: FileSpec, name: str) -> tuple[pd.DataFrame, dict]:
    start = next((i for i, row in enumerate(rows) if any(row)), None)
    if start is None:
        raise _problem("file.empty", name, reason="no_header")
    width = max(len(row) for row in rows[start:])
    header_row = list(rows[start]) + [None] * (width - len(rows[start]))
    # (spreadsheet row number, padded values) for every data row that has at least one value
    body = [(i + 1, row + [None] * (width - len(row))) for i, row in enumerate(rows) if i > start and any(row)]
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

    columns = {ROW_NUMBER: pd.Series([number for number, _ in body], dtype="int64")}
    for name_, j in zip(names, keep, strict=True):
        # object dtype: pandas 3 would otherwise infer its string dtype and turn None into NaN
        columns[name_] = pd.Series([r[j] for _, r in body], dtype=object)
    return pd.DataFrame(columns), headers
