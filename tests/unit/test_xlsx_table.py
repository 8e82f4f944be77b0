"""The one-sheet .xlsx writer (diklat.io.xlsx_table): what Excel, openpyxl and diklat's own reader see."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from diklat.io._xlsx import xlsx_rows
from diklat.io.xlsx_table import write_xlsx

pytestmark = pytest.mark.unit


def test_values_keep_their_kind_text_stays_text_and_blanks_stay_empty(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "NIP": ["198001012005011001", "0812345678"],
            "Tanggal": [date(2022, 10, 3), None],
            "Waktu": [datetime(2022, 10, 3, 14, 30), pd.NaT],
            "Nilai": [Decimal("85.50"), Decimal("NaN")],
            "Bobot": [0.25, float("nan")],
            "Jumlah": [np.int64(7), 8],
            "Hadir": [True, False],
            "Catatan": ['<b>&"x"</b>', pd.NA],
        }
    )

    sheet = load_workbook(write_xlsx(frame, tmp_path / "t.xlsx")).active

    assert sheet.title == "Sheet1"
    assert [c.value for c in sheet[1]] == list(frame.columns) and all(c.font.b for c in sheet[1])
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("198001012005011001", "s")  # never a number
    assert sheet["A3"].value == "0812345678"  # the leading zero kept
    assert sheet["B2"].value == datetime(2022, 10, 3) and sheet["B2"].number_format == "yyyy\\-mm\\-dd"
    assert sheet["C2"].value == datetime(2022, 10, 3, 14, 30)
    assert sheet["D2"].value == 85.5 and sheet["E2"].value == 0.25 and sheet["F2"].value == 7
    assert [sheet["G2"].value, sheet["G3"].value] == [True, False]
    assert sheet["H2"].value == '<b>&"x"</b>'
    assert [sheet[f"{c}3"].value for c in "BCDEH"] == [None] * 5


def test_characters_xml_cannot_carry_are_escaped_not_lost(tmp_path: Path):
    frame = pd.DataFrame({"Nama": ["Ani\x01Budi", "literal _x0041_ text", "tab\tand\nnewline"]})

    path = write_xlsx(frame, tmp_path / "t.xlsx")
    sheet = load_workbook(path).active  # an XML parser meeting a raw control character refuses the file

    # As OOXML spells them (ECMA-376 ST_Xstring), which Excel shows as the original characters.
    assert sheet["A2"].value == "Ani_x0001_Budi" and sheet["A3"].value == "literal _x005F_x0041_ text"
    assert sheet["A4"].value == "tab\tand\nnewline"  # XML carries these as they are


def test_diklat_reads_back_what_it_wrote_including_a_long_table(tmp_path: Path):
    n = 2_500  # more rows than one streamed batch
    frame = pd.DataFrame({"NIP": [f"19800101200501{i:04d}" for i in range(n)], "No": range(1, n + 1)})

    rows = xlsx_rows(write_xlsx(frame, tmp_path / "t.xlsx").read_bytes())

    assert rows[0] == ["NIP", "No"]
    assert len(rows) == n + 1
    assert rows[1] == ["198001012005010000", "1"] and rows[-1] == [f"19800101200501{n - 1:04d}", str(n)]


def test_column_widths_follow_the_longest_text_within_bounds_and_the_package_is_complete(tmp_path: Path):
    frame = pd.DataFrame({"A": ["x" * 90], "ID KARANTINA": [1], "B": ["y"]})

    path = write_xlsx(frame, tmp_path / "t.xlsx")
    sheet = load_workbook(path).active

    assert [sheet.column_dimensions[c].width for c in "ABC"] == [60, 14, 10]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"} <= set(
            archive.namelist()
        )


def test_columns_sharing_a_name_are_written_side_by_side(tmp_path: Path):
    frame = pd.DataFrame([["a", "b"]], columns=["Catatan", "Catatan"])
    sheet = load_workbook(write_xlsx(frame, tmp_path / "t.xlsx")).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["Catatan", "Catatan"], ["a", "b"]]


def test_an_empty_frame_is_a_header_only_sheet(tmp_path: Path):
    sheet = load_workbook(write_xlsx(pd.DataFrame(columns=["NIP", "ALASAN"]), tmp_path / "t.xlsx")).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["NIP", "ALASAN"]]
