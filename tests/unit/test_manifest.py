"""The cohort list of batch runs: rows in order, paths from the list's folder, bad rows named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from diklat.domain.manifest import ManifestEntry, parse_manifest
from diklat.domain.problems import FileProblem
from diklat.messages import render

FOLDER = Path("/data/intake")


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame([{"row_number": i + 2, **r} for i, r in enumerate(rows)])
    for column in ("cohort", "start", "roster", "coaches", "scores", "assessors"):
        if column not in out:
            out[column] = None
    return out.astype(object).where(out.notna(), None)


def problem(*rows: dict, needs: tuple[str, ...] = ("start", "roster")) -> str:
    with pytest.raises(FileProblem) as raised:
        parse_manifest(frame(*rows), "daftar.csv", FOLDER, needs)
    return render(raised.value.problem, "manifest", "en")


def test_entries_keep_list_order_and_resolve_paths_against_the_lists_folder() -> None:
    entries = parse_manifest(
        frame(
            {"cohort": "12", "start": "14/07/2022", "roster": "rosters\\a12.csv", "coaches": "/srv/coaches.csv"},
            {"cohort": "3", "start": "1 Agustus 2022", "roster": "a3.xlsx"},
        ),
        "daftar.csv",
        FOLDER,
        ("start", "roster"),
    )
    assert entries == [
        ManifestEntry(2, 12, date(2022, 7, 14), str(FOLDER / "rosters/a12.csv"), "/srv/coaches.csv"),
        ManifestEntry(3, 3, date(2022, 8, 1), str(FOLDER / "a3.xlsx")),
    ]


@pytest.mark.parametrize(
    ("value", "ok"), [("1", True), ("9999", True), ("0", False), ("10000", False), ("2a", False), ("-1", False)]
)
def test_cohort_numbers_run_from_1_to_9999(value: str, ok: bool) -> None:
    row = {"cohort": value, "start": "14/07/2022", "roster": "a.csv"}
    if ok:
        assert parse_manifest(frame(row), "daftar.csv", FOLDER, ("start", "roster"))[0].cohort == int(value)
    else:
        assert problem(row) == (
            f"Row 2 of the cohort list daftar.csv: ANGKATAN '{value}' is not a cohort number (1 to 9999)."
        )


def test_a_cohort_listed_twice_names_both_rows() -> None:
    row = {"cohort": "4", "start": "14/07/2022", "roster": "a.csv"}
    assert (
        problem(row, row) == "Row 3 of the cohort list daftar.csv: cohort 4 is already listed in row 2. List it once."
    )


def test_a_needed_cell_left_empty_is_named_by_its_header() -> None:
    assert problem({"cohort": "1", "start": "14/07/2022"}) == (
        "Row 2 of the cohort list daftar.csv: BERKAS PESERTA is empty. Fill it in."
    )
    assert problem({"cohort": "1"}, needs=("scores",)) == (
        "Row 2 of the cohort list daftar.csv: BERKAS NILAI is empty. Fill it in."
    )


def test_a_start_that_is_not_a_date_is_refused() -> None:
    assert problem({"cohort": "1", "start": "31/02/2022", "roster": "a.csv"}) == (
        "Row 2 of the cohort list daftar.csv: TANGGAL MULAI '31/02/2022' is not a date. Write it like 14/07/2022."
    )
