"""The evaluation reports as printed (issue #18): tables fit A4 without breaking words, headings and the
signature never end up alone on a page, every page is numbered."""

from __future__ import annotations

import re

import pytest

from diklat.report.document import Table, _column_widths
from tests.helpers import report_data

pytestmark = pytest.mark.unit


def _pages(tmp_path, render) -> list[str]:  # noqa: ANN001
    from pypdf import PdfReader

    render(report_data(), tmp_path / "r.html", "id")
    return [page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages]


def test_a_wide_table_fits_the_page_and_no_header_breaks_inside_a_word() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from diklat.report.certificate import FONT_BOLD, register_fonts

    register_fonts()
    heads = ["Tingkat respons (%)", "L3 diri sendiri", "L3 atasan", "L3 rekan kerja", "L3 keseluruhan"]
    heads += ["L4 dampak", "Aksi perubahan berlanjut (%)", "Alumni perlu tindak lanjut"]
    table = Table("Angkatan", heads, [("PKP Kota Jambi 2022 / Angkatan 1", *[80] * len(heads))])
    widths = _column_widths(table, 470)
    assert sum(widths) == pytest.approx(470)
    for head, width in zip(["Angkatan", *heads], widths, strict=True):
        longest = max(stringWidth(word, FONT_BOLD, 7.5) for word in head.split())
        assert width >= longest + 12, (head, width)  # reportlab pads a cell by 6 on each side


def test_a_narrow_table_shares_the_spare_room_and_keeps_its_labels_on_one_line() -> None:
    table = Table("Gelombang", ["L3 keseluruhan", "L4 dampak"], [("3 bulan setelah pelatihan", 3.93, 3.7)])
    widths = _column_widths(table, 470)
    assert sum(widths) == pytest.approx(470) and min(widths) > 100


@pytest.mark.parametrize("kind", ["course", "post"])
def test_the_printed_report_numbers_its_pages_and_signs_under_its_recommendations(tmp_path, kind: str) -> None:
    from diklat.report.evaluation import render_course_report, render_post_report

    pages = _pages(tmp_path, render_course_report if kind == "course" else render_post_report)
    for number, text in enumerate(pages, 1):
        assert re.search(rf"Laporan Evaluasi .*: halaman {number}\b", text)
    last = pages[-1]
    assert "Rekomendasi" in last and "Dr. Contoh, M.Si." in last  # the signature stays with what it signs
    for text in pages:  # a heading is never the last line of a page
        lines = [line for line in text.splitlines() if line.strip() and "halaman" not in line]
        assert not re.fullmatch(r"(\d+\. .*|Kesimpulan|Rekomendasi)", lines[-1]), lines[-1]
    words = " ".join(pages).split()
    whole = {"course": ["respons", "keseluruhan"], "post": ["sendiri", "keseluruhan", "perubahan"]}[kind]
    assert all(word in words for word in whole)  # header words printed whole, not "sendir i"
