"""A file's kind is told from its headers, among the kinds its inbox folder may hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from diklat.io.kinds import recognise, recognise_file
from schemas.files import SPECS

pytestmark = pytest.mark.unit
ALL = tuple(SPECS)


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["NIP", "NAMA", "GOL/RUANG", "JABATAN", "UNIT KERJA", "NIP ATASAN", "EMAIL", "NO HP"], "roster"),
        (["NIP", "NAMA", "GOL/RUANG", "JABATAN", "JENIS JABATAN", "UNIT KERJA", "TMT JABATAN"], "personnel"),
        (["NIP", "TANGGAL", "STATUS"], "attendance"),
        (["NIP", "TANGGAL", "JENIS", "OLEH", "TOPIK"], "guidance"),
        (["NIP", "TAHAP", "TANGGAL", "HASIL", "CATATAN"], "deliverables"),
        (["NIP", "KOMPONEN", "NILAI", "PENILAI"], "scores"),
        (["NIP PENILAI", "NAMA PENILAI"], "assessors"),
        (["NIP", "NAMA", "EMAIL"], "coaches"),
        (["NIP ALUMNI", "PERAN", "RESPONDEN", "GELOMBANG", "BUTIR", "JAWABAN"], "responses"),
        (["ANGKATAN", "TANGGAL MULAI", "BERKAS PESERTA"], "manifest"),
        (["nip", "tanggal", "kehadiran", "jp"], "attendance"),  # case and the second alias
    ],
)
def test_every_kind_is_told_from_its_headers(headers: list[str], kind: str) -> None:
    assert recognise(headers, ALL)[0] == kind


def test_two_kinds_that_explain_the_same_headers_are_ambiguous_not_guessed() -> None:
    kind, fitting = recognise(["NIP", "NAMA"], ALL)  # coaches or assessors?
    assert kind is None and set(fitting) == {"coaches", "assessors"}


def test_headers_of_no_kind_fit_nothing() -> None:
    assert recognise(["No", "Uraian", "Jumlah"], ALL) == (None, ())


def test_only_the_kinds_the_folder_may_hold_are_considered() -> None:
    personnel = ["NIP", "NAMA", "GOL/RUANG", "JABATAN", "JENIS JABATAN", "UNIT KERJA", "TMT JABATAN"]
    assert recognise(personnel, ("roster", "attendance"))[0] == "roster"


def test_the_header_is_found_under_a_title_block(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["DAFTAR PESERTA PELATIHAN KEPEMIMPINAN PENGAWAS ANGKATAN I TAHUN 2022"])
    sheet.append([])
    sheet.append(["NIP", "NAMA", "GOL/RUANG", "JABATAN", "UNIT KERJA"])
    sheet.append(["198805162012101001", "Budi", "III/b", "Kasubbag", "Dinas"])
    book.save(tmp_path / "peserta.xlsx")
    found = recognise_file(tmp_path / "peserta.xlsx", ALL)
    assert (found.kind, found.header_row) == ("roster", 2) and len(found.sha256) == 64  # 2nd non-empty row
