"""The documents graduates and agencies keep: the STTP certificate, its archive, the score recap."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from diklat.report.certificate import (
    CertificateData,
    qr_payload,
    render_certificate,
    render_certificates,
    zip_certificates,
)
from diklat.report.recap import RecapMeta, RecapRow, status_label, write_recap_pdf, write_recap_xlsx

pytestmark = pytest.mark.unit

NAME = "Drs. H. Ma'ruf, S.Sos., M.Si."
NIP = "198001012005011001"
SPACED_NIP = "19800101 200501 1 001"
CODE = "K7QX-93MF-2PLA"

CERTIFICATE = CertificateData(
    number="800/017/STTP-PKP/BKPSDMD/2024",
    version=1,
    verification_code=CODE,
    name=NAME,
    nip=NIP,
    golongan="Penata Tk. I (III/d)",
    position="Kepala Seksi Perencanaan",
    unit="Dinas Pendidikan Kota Jambi",
    programme="Pelatihan Kepemimpinan Pengawas",
    cohort_label="Angkatan II Tahun 2024",
    start_date=date(2024, 3, 4),
    end_date=date(2024, 7, 12),
    jp=329,
    qualification="Sangat Memuaskan",
    final_score=Decimal("90.005"),
    issued_on=date(2024, 7, 15),
    agency="BKPSDMD Kota Jambi",
    place="Jambi",
    signatory_name="Dr. Ir. Siti Rahmah, M.M.",
    signatory_title="Kepala Badan",
    signatory_nip="197505152000032002",
)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_certificate(CERTIFICATE, tmp_path_factory.mktemp("cert") / "sttp.pdf", language="id")


def test_the_certificate_prints_the_name_exactly_as_given_with_titles_and_apostrophes(certificate):
    assert NAME in pdf_text(certificate)


def test_the_certificate_prints_the_nip_in_the_official_spaced_form(certificate):
    text = pdf_text(certificate)
    assert SPACED_NIP in text
    assert "19750515 200003 2 002" in text  # the signatory's


def test_the_certificate_prints_number_programme_dates_and_qualification(certificate):
    text = " ".join(pdf_text(certificate).split())
    for expected in (
        CERTIFICATE.number,
        "Pelatihan Kepemimpinan Pengawas",
        "Angkatan II Tahun 2024",
        "4 Maret 2024",
        "12 Juli 2024",
        "329",
        "Sangat Memuaskan",
        "Jambi, 15 Juli 2024",
        "Dr. Ir. Siti Rahmah, M.M.",
        "Penata Tk. I (III/d)",
        "Dinas Pendidikan Kota Jambi",
    ):
        assert expected in text


def test_the_final_score_has_two_decimals_and_a_decimal_comma_in_indonesian(certificate, tmp_path):
    assert "90,01" in pdf_text(certificate)
    english = render_certificate(CERTIFICATE, tmp_path / "en.pdf", language="en")
    assert "90.01" in pdf_text(english)


def test_the_certificate_is_one_page_with_the_verification_code_and_a_qr_code(certificate):
    reader = PdfReader(certificate)
    assert len(reader.pages) == 1
    assert CODE in pdf_text(certificate)
    content = reader.pages[0].get_contents().get_data()
    assert len(re.findall(rb"\bre\b", content)) > 50  # the QR modules are drawn as filled rectangles


def test_the_certificate_is_a_landscape_a4_page_with_title_and_author_metadata(certificate):
    reader = PdfReader(certificate)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert reader.metadata.author == CERTIFICATE.agency
    assert CERTIFICATE.number in reader.metadata.title


def test_rendering_the_same_certificate_twice_gives_identical_bytes(certificate, tmp_path):
    again = render_certificate(CERTIFICATE, tmp_path / "again.pdf", language="id")
    assert again.read_bytes() == certificate.read_bytes()


def test_a_reissued_certificate_shows_its_version_and_a_first_issue_does_not(certificate, tmp_path):
    reissued = render_certificate(dataclasses.replace(CERTIFICATE, version=2), tmp_path / "v2.pdf", language="en")
    assert "Re-issue v2" in pdf_text(reissued)
    first = render_certificate(CERTIFICATE, tmp_path / "v1.pdf", language="en")
    assert "Re-issue" not in pdf_text(first)


def test_missing_rank_position_and_unit_are_printed_as_a_dash(tmp_path):
    bare = dataclasses.replace(CERTIFICATE, golongan=None, position=None, unit=None, signatory_nip=None)
    text = pdf_text(render_certificate(bare, tmp_path / "bare.pdf", language="en"))
    assert NAME in text and SPACED_NIP in text


def test_names_with_markup_characters_are_printed_as_text(tmp_path):
    odd = dataclasses.replace(CERTIFICATE, name="A & B <C>", programme="PKP <b>&amp;</b>")
    text = pdf_text(render_certificate(odd, tmp_path / "odd.pdf", language="en"))
    assert "A & B <C>" in text and "PKP <b>&amp;</b>" in text


def test_the_archive_holds_one_pdf_per_certificate_and_is_byte_identical_when_rebuilt(tmp_path):
    items = [
        (
            dataclasses.replace(CERTIFICATE, name=f"Peserta {n}", verification_code=f"CODE-{n}"),
            tmp_path / "pdf" / f"sttp-{n}.pdf",
        )
        for n in (3, 1, 2)
    ]
    written: list = []
    paths = render_certificates(items, language="id", on_written=written.append)
    assert written == paths == [p for _, p in items]
    first = zip_certificates(paths, tmp_path / "a.zip")
    render_certificates(list(reversed(items)), language="id")  # rendered again: same bytes
    second = zip_certificates(list(reversed(paths)), tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        assert zf.namelist() == ["sttp-1.pdf", "sttp-2.pdf", "sttp-3.pdf"]
        for info in zf.infolist():
            pdf = zf.read(info)
            assert pdf == (tmp_path / "pdf" / info.filename).read_bytes()
            assert len(PdfReader(BytesIO(pdf)).pages) == 1


def test_a_large_batch_spread_over_processes_gives_the_same_files_as_one_process(tmp_path, monkeypatch):
    from diklat.report import certificate as module

    monkeypatch.setattr(module, "POOL_MIN_BATCH", 4)  # a real pool on a small batch
    items = [
        (dataclasses.replace(CERTIFICATE, name=f"Peserta {n}", verification_code=f"{n:016X}"), f"sttp-{n}.pdf")
        for n in range(6)
    ]
    alone = render_certificates([(d, tmp_path / "one" / f) for d, f in items], language="id")
    written: list = []
    spread = render_certificates(
        [(d, tmp_path / "two" / f) for d, f in items], language="id", processes=2, on_written=written.append
    )
    assert written == spread == [tmp_path / "two" / f for _, f in items]  # in the batch's order
    assert [p.read_bytes() for p in alone] == [p.read_bytes() for p in spread]


def test_the_archive_refuses_two_certificates_with_the_same_file_name(tmp_path):
    paths = render_certificates(
        [(CERTIFICATE, tmp_path / "x" / "same.pdf"), (CERTIFICATE, tmp_path / "y" / "same.pdf")], language="id"
    )
    with pytest.raises(ValueError, match="same.pdf"):
        zip_certificates(paths, tmp_path / "a.zip")


# --- rekap nilai -------------------------------------------------------------------------------------

META = RecapMeta(
    agency="BKPSDMD Kota Jambi",
    programme="Pelatihan Kepemimpinan Pengawas",
    cohort_label="Angkatan II Tahun 2024",
    start_date=date(2024, 3, 4),
    end_date=date(2024, 7, 12),
    components=[
        ("aksi_perubahan", "Aksi Perubahan", Decimal("50")),
        ("sikap_perilaku", "Sikap dan Perilaku", Decimal("20")),
        ("substansi", "Substansi", Decimal("20")),
        ("studi_lapangan", "Studi Lapangan", Decimal("10")),
    ],
)
MALICIOUS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+6281234567890", "-x"]


def scores(*values: str | None) -> dict[str, Decimal | None]:
    codes = [code for code, _title, _weight in META.components]
    return {code: None if v is None else Decimal(v) for code, v in zip(codes, values, strict=True)}


ROWS = [
    RecapRow(None, "198505052010012003", "Zainal", scores("80", None, "75", "70"), None, None, "belum_lengkap"),
    RecapRow(2, "198202022006042002", "Budi", scores("85.5", "80", "82", "79"), Decimal("83.15"), "Memuaskan", "lulus"),
    RecapRow(1, NIP, NAME, scores("92", "90", "88.25", "86"), Decimal("90.005"), "Sangat Memuaskan", "lulus"),
    RecapRow(
        2,
        "198303032007011004",
        "Ani",
        scores("85.5", "80", "82", "79"),
        Decimal("83.15"),
        "Memuaskan",
        "lulus_tertunda",
    ),
    RecapRow(
        None, "198404042008012005", "Yusuf", scores("60", "65", "55", "50"), Decimal("59"), "Kurang", "tidak_lulus"
    ),
    RecapRow(
        None, "198606062011011006", "Bambang", scores(None, None, None, None), None, None, "tidak_dapat_menyelesaikan"
    ),
] + [
    RecapRow(
        None, f"1987070720120110{n:02d}", name, scores("70", "70", "70", "70"), Decimal("70"), "Cukup", "tidak_lulus"
    )
    for n, name in enumerate(MALICIOUS, start=7)
]
EXPECTED_ORDER = [NAME, "Ani", "Budi"] + sorted(["Zainal", "Yusuf", "Bambang", *MALICIOUS], key=str.casefold)
STATUSES = ["lulus", "lulus_tertunda", "tidak_lulus", "tidak_dapat_menyelesaikan", "belum_lengkap"]


@pytest.fixture(scope="module")
def recap_sheet(tmp_path_factory: pytest.TempPathFactory):
    path = write_recap_xlsx(META, ROWS, tmp_path_factory.mktemp("recap") / "rekap.xlsx", language="en")
    return openpyxl.load_workbook(path).active


def header_row(sheet) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == "No.")


def column_of(sheet, header: str) -> int:
    row = header_row(sheet)
    return next(cell.column for cell in sheet[row] if cell.value == header)


def body(sheet, header: str) -> list:
    column, first = column_of(sheet, header), header_row(sheet) + 1
    return [sheet.cell(row=r, column=column) for r in range(first, sheet.max_row + 1)]


@pytest.mark.parametrize("code", STATUSES)
def test_every_status_has_a_label_in_both_languages(code):
    assert status_label(code, "en")
    assert status_label(code, "id")


def test_the_english_status_labels_are_the_msgids():
    assert [status_label(code, "en") for code in STATUSES] == [
        "Passed",
        "Passed (deferred)",
        "Not passed",
        "Did not complete",
        "Incomplete assessment",
    ]


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="lulus_sekali"):
        status_label("lulus_sekali", "en")


def test_the_recap_sheet_has_title_rows_then_the_agency_header_row(recap_sheet):
    titles = [recap_sheet.cell(row=r, column=1).value for r in range(1, header_row(recap_sheet))]
    assert titles[:4] == [META.agency, "SCORE RECAP", META.programme, META.cohort_label]
    assert "4 Maret 2024" in titles[4] and "12 Juli 2024" in titles[4]
    headers = [c.value for c in recap_sheet[header_row(recap_sheet)]]
    assert headers == [
        "No.",
        "NIP",
        "Name",
        "Aksi Perubahan (50%)",
        "Sikap dan Perilaku (20%)",
        "Substansi (20%)",
        "Studi Lapangan (10%)",
        "Final score",
        "Qualification",
        "Status",
        "Rank",
        "Remarks",
    ]
    assert recap_sheet.freeze_panes == f"D{header_row(recap_sheet) + 1}"
    assert recap_sheet.column_dimensions["C"].width >= 30


def test_no_cell_of_the_recap_is_a_formula(recap_sheet):
    assert not [c.coordinate for row in recap_sheet.iter_rows() for c in row if c.data_type == "f"]


def test_names_that_look_like_formulas_are_stored_as_text_with_a_leading_apostrophe(recap_sheet):
    names = [c.value for c in body(recap_sheet, "Name")]
    for malicious in MALICIOUS:
        assert "'" + malicious in names
    assert all(c.data_type == "s" for c in body(recap_sheet, "Name"))


def test_nips_are_text_cells_of_eighteen_digits(recap_sheet):
    for cell in body(recap_sheet, "NIP"):
        assert cell.data_type == "s"
        assert isinstance(cell.value, str) and re.fullmatch(r"[0-9]{18}", cell.value)


def test_scores_are_numbers_with_two_decimals(recap_sheet):
    cells = [c for header in ("Aksi Perubahan (50%)", "Final score") for c in body(recap_sheet, header)]
    filled = [c for c in cells if c.value is not None]
    assert filled
    for cell in filled:
        assert cell.data_type == "n" and isinstance(cell.value, int | float)
        assert cell.number_format == "0.00"
    first = body(recap_sheet, "Final score")[0]
    assert first.value == pytest.approx(90.005)


def test_recap_rows_are_sorted_by_rank_then_name_with_the_unranked_last(recap_sheet):
    names = [c.value.lstrip("'") for c in body(recap_sheet, "Name")]
    assert names == EXPECTED_ORDER
    assert [c.value for c in body(recap_sheet, "No.")] == list(range(1, len(ROWS) + 1))
    ranks = [c.value for c in body(recap_sheet, "Rank")]
    assert ranks[:3] == [1, 2, 2] and set(ranks[3:]) == {None}


def test_the_recap_shows_translated_status_labels(recap_sheet):
    statuses = {c.value for c in body(recap_sheet, "Status")}
    assert statuses == {status_label(code, "en") for code in STATUSES}


def test_the_remarks_say_why_a_participant_did_not_simply_pass(tmp_path):
    """Issue #18: "Tidak Lulus" beside 89.43 Memuaskan said nothing of the attendance that decided it."""
    from dataclasses import replace

    from openpyxl import load_workbook

    from diklat.domain.grading import remark

    meta = replace(META, milestones={"laporan_akhir": "Laporan akhir aksi perubahan"}, attendance_minimum=Decimal("90"))
    rules = lambda *r: {"rules": [{"rule": n, "result": v, **x} for n, v, x in r]}  # noqa: E731
    decided = {
        "attendance": rules(("passing_band", True, {}), ("attendance_met", False, {})),
        "milestones": rules(
            ("attendance_met", True, {}), ("required_milestones_met", False, {"missed": ["laporan_akhir"]})
        ),
        "deferred": rules(("revisions_owed", True, {"milestones": ["laporan_akhir"]}), ("deferral_cleared", False, {})),
        "passed": rules(("revisions_owed", False, {"milestones": []})),
    }
    rows = [
        RecapRow(
            1,
            NIP,
            "A",
            scores("90", "90", "88", "86"),
            Decimal("89.43"),
            "Memuaskan",
            "tidak_lulus",
            remark(decided["attendance"]),
        ),
        RecapRow(
            2,
            "198202022006042002",
            "B",
            scores("85", "80", "82", "79"),
            Decimal("83.15"),
            "Memuaskan",
            "tidak_lulus",
            remark(decided["milestones"]),
        ),
        RecapRow(
            3,
            "198303032007011004",
            "C",
            scores("85", "80", "82", "79"),
            Decimal("83.15"),
            "Memuaskan",
            "lulus_tertunda",
            remark(decided["deferred"]),
        ),
        RecapRow(
            4,
            "198404042008012005",
            "D",
            scores("85", "80", "82", "79"),
            Decimal("83.15"),
            "Memuaskan",
            "lulus",
            remark(decided["passed"]),
        ),
    ]
    sheet = load_workbook(write_recap_xlsx(meta, rows, tmp_path / "r.xlsx", language="id")).active
    said = {c.value for c in body(sheet, "Keterangan")} - {None}
    assert said == {
        "Kehadiran di bawah batas minimal 90 %",
        "Milestone wajib terlewat: Laporan akhir aksi perubahan",
        "Lulus tertunda: revisi Laporan akhir aksi perubahan masih terutang",
    }
    text = " ".join(pdf_text(write_recap_pdf(meta, rows, tmp_path / "r.pdf", language="id")).split())
    assert "Kehadiran di bawah batas minimal 90 %" in text and "Keterangan" in text


def test_the_recap_pdf_lists_every_nip_name_and_status_in_order(tmp_path):
    path = write_recap_pdf(META, ROWS, tmp_path / "rekap.pdf", language="id")
    text = " ".join(pdf_text(path).split())
    for row in ROWS:
        assert f"{row.nip[:8]} {row.nip[8:14]} {row.nip[14]} {row.nip[15:]}" in text
    for code in STATUSES:
        assert status_label(code, "id") in text
    assert "90,01" in text and "83,15" in text
    positions = [text.index(name) for name in EXPECTED_ORDER]
    assert positions == sorted(positions)


def test_the_recap_pdf_repeats_the_header_and_numbers_its_pages(tmp_path):
    many = [
        RecapRow(
            n,
            f"1980010120050110{n:02d}",
            f"Peserta {n:02d}",
            scores("80", "80", "80", "80"),
            Decimal("80"),
            "Memuaskan",
            "lulus",
        )
        for n in range(1, 80)
    ]
    path = write_recap_pdf(META, many, tmp_path / "rekap.pdf", language="en")
    reader = PdfReader(path)
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Final score" in text and "Qualification" in text
        assert f"Page {number} of {len(reader.pages)}" in text


def test_the_recap_pdf_is_landscape_a4_and_byte_identical_when_rewritten(tmp_path):
    first = write_recap_pdf(META, ROWS, tmp_path / "a.pdf", language="id")
    second = write_recap_pdf(META, list(reversed(ROWS)), tmp_path / "b.pdf", language="id")
    assert first.read_bytes() == second.read_bytes()
    box = PdfReader(first).pages[0].mediabox
    assert float(box.width) > float(box.height)


# --- the printed content's fingerprint (a change of it is a new version) ----------------------------

PERSON = {"name": NAME, "nip": NIP, "golongan": "III/d", "position": "Kepala Bidang", "unit": "BKPSDMD", "x": 1}


def test_the_fingerprint_is_the_sha256_of_the_printed_fields_as_sorted_json() -> None:
    import hashlib

    from diklat.domain.certificate import content_sha256

    # Written out by hand: the canonical JSON of what the certificate prints (sorted keys, default separators).
    expected = (
        '{"cohort": "Angkatan 1", "final_score": "87.50", "golongan": "III/d", '
        '"name": "Drs. H. Ma\'ruf, S.Sos., M.Si.", "nip": "198001012005011001", "position": "Kepala Bidang", '
        '"programme": "PKP", "qualification": "Sangat Baik", "unit": "BKPSDMD"}'
    )
    got = content_sha256(PERSON, "PKP", "Angkatan 1", "Sangat Baik", Decimal("87.50"))
    assert got == hashlib.sha256(expected.encode()).hexdigest()


def test_the_fingerprint_changes_with_a_printed_field_and_nothing_else() -> None:
    from diklat.domain.certificate import content_sha256

    base = content_sha256(PERSON, "PKP", "Angkatan 1", "Sangat Baik", Decimal("87.50"))
    assert content_sha256({**PERSON, "x": 2}, "PKP", "Angkatan 1", "Sangat Baik", Decimal("87.50")) == base
    assert content_sha256({**PERSON, "unit": "BKD"}, "PKP", "Angkatan 1", "Sangat Baik", Decimal("87.50")) != base
    assert content_sha256(PERSON, "PKP", "Angkatan 1", "Sangat Baik", Decimal("87.51")) != base
    assert content_sha256(PERSON, "PKP", "Angkatan 1", "Sangat Baik", Decimal("87.5")) != base  # printed 87.5


def test_a_recap_shows_component_means_half_up_to_two_decimals_and_a_dash_for_none() -> None:
    from diklat.report.recap import component_scores

    got = component_scores(
        {"a": [Decimal("85"), Decimal("90"), Decimal("90")], "b": [Decimal("80.125")], "c": []},
        ["a", "b", "c", "d"],
    )
    # 88.333… -> 88.33; 80.125 is a tie -> 80.13 (half-up, not to even)
    assert got == {"a": Decimal("88.33"), "b": Decimal("80.13"), "c": None, "d": None}
    assert str(got["b"]) == "80.13"


def test_the_qr_code_leads_to_the_public_verification_page_of_the_code(tmp_path, monkeypatch):
    from diklat.report import certificate as module

    drawn: list[str] = []
    real = module.qr_matrix

    def recording(value):  # noqa: ANN001, ANN202
        drawn.append(value)
        return real(value)

    monkeypatch.setattr(module, "qr_matrix", recording)
    public = dataclasses.replace(CERTIFICATE, public_url="https://sttp.bkpsdmd.example.go.id/")
    text = pdf_text(render_certificate(public, tmp_path / "qr.pdf", language="id"))
    assert drawn == [f"https://sttp.bkpsdmd.example.go.id/verifikasi/{CODE}"]
    assert "https://sttp.bkpsdmd.example.go.id/verifikasi" in text  # where to type the code without a camera
    assert qr_payload(CERTIFICATE) == CODE  # no public address configured: the bare code


def test_the_printed_qr_code_scans_as_the_verification_address(tmp_path):
    """The page rasterised at 150 dpi (a print and a phone camera do no better) and read by ZXing."""
    import pypdfium2
    import zxingcpp

    public = dataclasses.replace(CERTIFICATE, public_url="https://sttp.bkpsdmd.example.go.id")
    pdf = pypdfium2.PdfDocument(render_certificate(public, tmp_path / "scan.pdf", language="id"))
    image = pdf[0].render(scale=150 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert [(b.format.name, b.text) for b in found] == [
        ("QRCode", f"https://sttp.bkpsdmd.example.go.id/verifikasi/{CODE}")
    ]
