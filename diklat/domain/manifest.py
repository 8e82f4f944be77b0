"""The cohort list of a batch run: which cohorts, when they start, and where their files are.

A province or LAN opens (or assesses) hundreds of cohorts at once from one list instead of one
form per cohort. The list is the operator's control file: a bad row stops the run before anything
is written, with a message naming the row and the column; a bad *cohort file* only holds back that
cohort (see the batch flows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

import pandas as pd

from diklat.domain.dates import check_date
from diklat.domain.problems import FileProblem, Problem

FILE_COLUMNS = ("roster", "coaches", "scores", "assessors")
MAX_COHORT = 9999  # a national programme runs thousands of cohorts a year


@dataclass(frozen=True)
class ManifestEntry:
    """One cohort of the list; file paths are resolved against the list's folder."""

    row_number: int
    cohort: int
    start: date | None = None
    roster: str | None = None
    coaches: str | None = None
    scores: str | None = None
    assessors: str | None = None


def parse_manifest(frame: pd.DataFrame, file_name: str, folder: Path, needs: tuple[str, ...]) -> list[ManifestEntry]:
    """Entries in list order; raise FileProblem at the first row that cannot be used.

    ``needs`` are the columns this run requires in every row (``start`` and ``roster`` to open
    cohorts, ``scores`` to assess them).
    """
    entries: list[ManifestEntry] = []
    first_row: dict[int, int] = {}
    for rec in frame.to_dict("records"):
        row = int(rec["row_number"])

        def bad(code: str, column: str, row: int = row, **params: object) -> FileProblem:
            return FileProblem(Problem(code, column, {"row": row, "file": file_name, **params}), file_name)

        for column in needs:
            if rec.get(column) is None:
                raise bad("manifest.value_missing", column)
        text = str(rec["cohort"]).strip()
        number = int(text) if text.isdigit() else 0
        if not 1 <= number <= MAX_COHORT:
            raise bad("manifest.cohort_invalid", "cohort", value=text)
        if number in first_row:
            raise bad("manifest.cohort_repeated", "cohort", value=number, first_row=first_row[number])
        first_row[number] = row
        start = None
        if rec.get("start") is not None:
            start, problems = check_date(rec["start"], "start")
            if problems:
                raise bad("manifest.date_invalid", "start", value=rec["start"])
        files = {c: _resolve(folder, rec.get(c)) for c in FILE_COLUMNS}
        entries.append(ManifestEntry(row, number, start, **files))
    return entries


def _resolve(folder: Path, value: str | None) -> str | None:
    """A relative path is taken from the list's own folder, so a copied folder keeps working."""
    if value is None:
        return None
    path = PurePath(value.strip().replace("\\", "/"))
    return str(path if path.is_absolute() else folder / path)
