"""Every spreadsheet diklat writes keeps operators' text as text: no cell or header runs as a formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from diklat.io.write import write_records, write_table

pytestmark = pytest.mark.unit

HOSTILE = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({HOSTILE: ["=1+1", "198001012005011001"], "+SUM(A1)": ["-2", "@x"], "NAMA": ["Ani", "Budi"]})


def test_xlsx_headers_and_cells_that_look_like_formulas_are_stored_as_text(frame: pd.DataFrame, tmp_path: Path):
    sheet = load_workbook(write_table(frame, tmp_path / "ditolak.xlsx")).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c.value for c in sheet[1]] == ["'" + HOSTILE, "'+SUM(A1)", "NAMA"]
    assert sheet["A2"].value == "'=1+1" and sheet["A3"].value == "198001012005011001"
    assert sheet["B2"].value == "'-2" and sheet["B3"].value == "'@x"


def test_csv_headers_that_look_like_formulas_are_neutralised(frame: pd.DataFrame, tmp_path: Path):
    text = write_table(frame, tmp_path / "ditolak.csv").read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("\"'=HYPERLINK(") and ",'+SUM(A1),NAMA" in header


def test_xlsx_keeps_error_like_text_as_text_numbers_as_numbers_and_blanks_empty(tmp_path: Path):
    frame = pd.DataFrame({"NIP": ["#N/A", None], "ID KARANTINA": [7, 8], "ALASAN": ["x" * 90, float("nan")]})
    sheet = load_workbook(write_table(frame, tmp_path / "ditolak.xlsx")).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("#N/A", "s")  # not an Excel error cell
    assert sheet["A3"].value is None and sheet["C3"].value is None
    assert [sheet["B2"].value, sheet["B3"].value] == [7, 8] and sheet["B2"].data_type == "n"
    assert sheet.column_dimensions["C"].width == 60 and sheet.column_dimensions["B"].width == 14


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_records_are_written_as_the_same_rows_as_their_frame(suffix: str, tmp_path: Path):
    """A rejected-rows file from records (no frame): columns in order of first appearance, a missing
    value blank, text that looks like a formula neutralised, a whole number kept whole."""
    records = [
        {HOSTILE: "=1+1", "NIP": "198001012005011001", "ID KARANTINA": 7},
        {"NIP": "-5", "ID KARANTINA": 8, "ALASAN": "Golongan: kosong"},
    ]
    written = write_records(records, tmp_path / f"ditolak{suffix}")
    expected = write_table(pd.DataFrame.from_records(records), tmp_path / f"frame{suffix}")
    if suffix == ".csv":
        assert written.read_text(encoding="utf-8-sig") == expected.read_text(encoding="utf-8-sig")
        return
    got = [[c.value for c in row] for row in load_workbook(written).active.iter_rows()]
    assert got == [
        ["'" + HOSTILE, "NIP", "ID KARANTINA", "ALASAN"],
        ["'=1+1", "198001012005011001", 7, None],
        [None, "'-5", 8, "Golongan: kosong"],
    ]
    assert got == [[c.value for c in row] for row in load_workbook(expected).active.iter_rows()]
