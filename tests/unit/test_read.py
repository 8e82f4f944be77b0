import csv
import hashlib
import os
import time
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from diklat.domain.problems import FileProblem
from diklat.io.headers import header_key, match_headers
from diklat.io.read import _delimiter, read_table
from schemas.files import COACHES, ROSTER

pytestmark = pytest.mark.unit

HEADER = ["NIP", "NAMA", "GOL/RUANG", "JABATAN", "UNIT KERJA", "NIP ATASAN"]
ROW = ["198001012005011001", "Drs. H. Ma'ruf, S.Sos., M.Si.", "III/a", "Analis", "Dinas X", ""]
CANONICAL = ["nip", "name", "golongan", "position", "unit", "superior_nip"]


def write_text(tmp_path, text, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="roster.xlsx", title="Sheet1"):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def problem_of(path, spec=ROSTER):
    with pytest.raises(FileProblem) as caught:
        read_table(path, spec)
    assert caught.value.problem.params["file"] == path.name
    assert caught.value.file_name == path.name
    return caught.value.problem


def records(table):
    return table.frame.to_dict("records")


# header_key and match_headers


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("GOL/RUANG", "golruang"),
        ("Gol. Ruang", "golruang"),
        ("gol_ruang", "golruang"),
        (" NIP ATASAN ", "nipatasan"),
        ("\ufeffNIP", "nip"),
        ("superior_nip", "superiornip"),
    ],
)
def test_header_key_ignores_case_spaces_punctuation_and_bom(text, key):
    assert header_key(text) == key


def test_match_headers_maps_aliases_and_canonical_names_and_keeps_unknown_headers():
    mapping = match_headers(["nip", "Nama Lengkap", "Pangkat/Gol", "jabatan", "OPD", "Keterangan"], ROSTER)
    assert mapping == {
        "nip": "nip",
        "Nama Lengkap": "name",
        "Pangkat/Gol": "golongan",
        "jabatan": "position",
        "OPD": "unit",
        "Keterangan": "Keterangan",
    }


def test_match_headers_reports_every_missing_required_column_with_its_first_alias():
    with pytest.raises(FileProblem) as caught:
        match_headers(["NIP", "JABATAN", "EMAIL"], ROSTER, "x.csv")
    problem = caught.value.problem
    assert problem.code == "file.missing_columns"
    assert problem.params == {
        "file": "x.csv",
        "missing": ["name", "golongan", "unit"],
        "expected": ["NAMA", "GOL/RUANG", "UNIT KERJA"],
        "found": ["NIP", "JABATAN", "EMAIL"],
    }


# CSV


def test_a_comma_separated_file_is_read_with_canonical_column_names(tmp_path):
    path = write_text(tmp_path, ",".join(HEADER) + "\n" + ",".join(ROW[:1] + ['"' + ROW[1] + '"'] + ROW[2:]))
    table = read_table(path, ROSTER)
    assert list(table.frame.columns) == ["row_number", *CANONICAL]
    assert records(table) == [{"row_number": 2, **dict(zip(CANONICAL, ROW[:5], strict=False)), "superior_nip": None}]
    assert table.headers == dict(zip(HEADER, CANONICAL, strict=True))
    assert table.file_name == "roster.csv"


def test_a_semicolon_separated_file_from_an_indonesian_excel_is_read(tmp_path):
    path = write_text(tmp_path, ";".join(HEADER) + "\r\n" + ";".join(ROW) + "\r\n")
    assert records(read_table(path, ROSTER))[0]["name"] == "Drs. H. Ma'ruf, S.Sos., M.Si."


def test_a_utf8_bom_does_not_leak_into_the_first_header(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (";".join(HEADER) + "\n" + ";".join(ROW)).encode())
    table = read_table(path, ROSTER)
    assert "NIP" in table.headers
    assert table.frame.loc[0, "nip"] == "198001012005011001"


def test_a_windows_1252_file_keeps_curly_apostrophes_and_accents(tmp_path):
    text = ";".join(HEADER) + "\n" + "198001012005011001;Ma’ruf Andrés;III/a;Analis;Dinas X;\n"
    path = write_text(tmp_path, text, encoding="cp1252")
    assert read_table(path, ROSTER).frame.loc[0, "name"] == "Ma’ruf Andrés"


def test_a_tab_separated_txt_file_is_read(tmp_path):
    path = write_text(tmp_path, "\t".join(HEADER) + "\n" + "\t".join(ROW) + "\n", name="roster.txt")
    assert read_table(path, ROSTER).frame.loc[0, "golongan"] == "III/a"


def test_a_utf16_unicode_text_export_from_excel_is_read(tmp_path):
    path = write_text(tmp_path, "\t".join(HEADER) + "\r\n" + "\t".join(ROW) + "\r\n", "r.txt", "utf-16")
    assert read_table(path, ROSTER).frame.loc[0, "name"] == ROW[1]


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks_and_count_as_one_row(tmp_path):
    text = (
        ",".join(HEADER)
        + "\n"
        + '1,"Dr. A, M.Si.","III/a","Kepala ""Seksi""","Dinas X\nBidang Y",\n'
        + "2,B,III/b,Analis,Dinas Z,\n"
    )
    rows = records(read_table(write_text(tmp_path, text), ROSTER))
    assert (rows[0]["name"], rows[0]["position"], rows[0]["unit"]) == (
        "Dr. A, M.Si.",
        'Kepala "Seksi"',
        "Dinas X\nBidang Y",
    )
    assert [row["row_number"] for row in rows] == [2, 3]


def test_a_delimiter_tie_in_the_header_line_prefers_semicolon():
    assert _delimiter("NIP;NAMA,GELAR") == ";"
    assert _delimiter('NIP,"NAMA;GELAR",GOL') == ","
    assert _delimiter("NIP") == ","


def test_headers_match_regardless_of_case_spacing_and_punctuation(tmp_path):
    text = "nip;Nama;gol / ruang;Jabatan;unit_kerja;Nip Atasan\n" + ";".join(ROW) + "\n"
    table = read_table(write_text(tmp_path, text), ROSTER)
    assert list(table.frame.columns) == ["row_number", *CANONICAL]
    assert table.headers["gol / ruang"] == "golongan"


def test_snake_case_english_headers_are_accepted(tmp_path):
    text = "nip,name,golongan,position,unit,superior_nip\n1,A,III/a,Analis,Dinas X,2\n"
    assert list(read_table(write_text(tmp_path, text), ROSTER).frame.columns) == ["row_number", *CANONICAL]


def test_names_with_titles_and_apostrophes_are_kept_exactly(tmp_path):
    names = [
        "Drs. H. Ma'ruf, S.Sos., M.Si.",
        "Ir. R.A. Siti  Nur'aini, M.T.",
        "Prof. Dr. dr. Ö'Neil, Sp.PD-KGH",
    ]
    lines = [";".join(HEADER)] + [f'{i};"{name}";III/a;Analis;Dinas X;' for i, name in enumerate(names)]
    frame = read_table(write_text(tmp_path, "\n".join(lines)), ROSTER).frame
    assert frame["name"].tolist() == names


def test_nip_and_phone_stay_text_with_leading_zeros_and_apostrophes(tmp_path):
    text = ";".join([*HEADER, "NO HP"]) + "\n" + "'198001012005011001;A;III/a;X;Y;0198001012005011001;081234567890\n"
    row = records(read_table(write_text(tmp_path, text), ROSTER))[0]
    assert (row["nip"], row["superior_nip"], row["phone"]) == (
        "'198001012005011001",
        "0198001012005011001",
        "081234567890",
    )


def test_values_are_python_strings_or_none_with_surrounding_whitespace_stripped(tmp_path):
    text = ";".join(HEADER) + "\n" + " 1 ;  Ani\u00a0 Wati \u00a0;   ;Analis;Dinas X;\n"
    frame = read_table(write_text(tmp_path, text), ROSTER).frame
    row = frame.iloc[0]
    assert (row["nip"], row["name"], row["golongan"], row["superior_nip"]) == (
        "1",
        "Ani\u00a0 Wati",
        None,
        None,
    )
    assert all(value is None or type(value) is str for value in frame.drop(columns="row_number").to_numpy().ravel())


def test_unknown_columns_are_kept_under_their_own_header(tmp_path):
    text = ";".join([*HEADER, "Keterangan", "Keterangan", ""]) + "\n" + ";".join([*ROW, "baru", "pindah", "x"]) + "\n"
    table = read_table(write_text(tmp_path, text), ROSTER)
    assert records(table)[0]["Keterangan"] == "baru"
    assert records(table)[0]["Keterangan (2)"] == "pindah"
    assert records(table)[0]["column_9"] == "x"


def test_blank_rows_are_skipped_but_row_numbers_stay_true(tmp_path):
    text = "\n;;\n" + ";".join(HEADER) + "\n" + ";".join(ROW) + "\n\n ; ;;;;\n" + ";".join(ROW) + "\n"
    assert read_table(write_text(tmp_path, text), ROSTER).frame["row_number"].tolist() == [4, 7]


def test_the_coaches_spec_reads_its_own_columns(tmp_path):
    path = write_text(tmp_path, "NIP WIDYAISWARA,NAMA COACH,SUREL\n1,A,a@x.go.id\n", name="coaches.csv")
    assert records(read_table(path, COACHES)) == [{"row_number": 2, "nip": "1", "name": "A", "email": "a@x.go.id"}]


# XLSX


def test_an_xlsx_file_is_read_as_text_from_the_first_visible_sheet(tmp_path):
    book = Workbook()
    book.active.title = "Petunjuk"
    book.active.sheet_state = "hidden"
    book.active.append(["hidden"])
    sheet = book.create_sheet("Data")
    sheet.append(HEADER)
    sheet.append([*ROW[:5], None])
    book.save(tmp_path / "roster.xlsx")
    assert records(read_table(tmp_path / "roster.xlsx", ROSTER)) == [
        {"row_number": 2, **dict(zip(CANONICAL, ROW, strict=True)), "superior_nip": None}
    ]


def test_a_sheet_named_like_the_file_kind_is_preferred(tmp_path):
    book = Workbook()
    book.active.append(["not", "this"])
    sheet = book.create_sheet("ROSTER")
    sheet.append(HEADER)
    sheet.append(ROW)
    book.save(tmp_path / "roster.xlsm")
    assert read_table(tmp_path / "roster.xlsm", ROSTER).frame.loc[0, "nip"] == ROW[0]


def test_an_xlsx_nip_stored_as_a_float_becomes_the_scientific_text_excel_shows(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, [198001012005011001.0, "A", "III/a", "X", "Y", 100000000000000000]])
    row = records(read_table(path, ROSTER))[0]
    assert (row["nip"], row["superior_nip"]) == ("1.98001012005011E+17", "1E+17")


def test_xlsx_integral_floats_become_integers_and_other_numbers_stay_readable(tmp_path):
    rows = [[*HEADER, "NO HP", "NILAI", "AKTIF"], ["1", "A", "III/a", "X", "Y", 7, 81234567890.0, 85.5, True]]
    row = records(read_table(write_xlsx(tmp_path, rows), ROSTER))[0]
    assert (row["superior_nip"], row["phone"], row["NILAI"], row["AKTIF"]) == (
        "7",
        "81234567890",
        "85.5",
        "TRUE",
    )


def test_xlsx_date_cells_become_iso_dates(tmp_path):
    rows = [
        [*HEADER, "TMT", "TGL LAHIR"],
        ["1", "A", "III/a", "X", "Y", None, datetime(2024, 1, 5, 8, 30), date(1980, 1, 1)],
    ]
    row = records(read_table(write_xlsx(tmp_path, rows), ROSTER))[0]
    assert (row["TMT"], row["TGL LAHIR"]) == ("2024-01-05", "1980-01-01")


def test_xlsx_header_is_the_first_non_empty_row_and_gaps_keep_row_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    for column, header in enumerate(HEADER, start=2):  # table starts at B3, as operators often paste it
        sheet.cell(row=3, column=column, value=header)
    sheet.cell(row=4, column=2, value="1")
    sheet.cell(row=4, column=3, value="  Ani  ")
    sheet.cell(row=5, column=3, value="   ")
    sheet.cell(row=7, column=2, value="2")
    book.save(tmp_path / "roster.xlsx")
    frame = read_table(tmp_path / "roster.xlsx", ROSTER).frame
    assert frame["row_number"].tolist() == [4, 7]
    assert frame["name"].tolist() == ["Ani", None]


def test_excel_shared_strings_with_rich_text_are_read_without_phonetic_hints(tmp_path):
    # Excel (unlike openpyxl) stores text in a shared-string table, sometimes as rich-text runs.
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings = [f"<si><t>{h}</t></si>" for h in HEADER] + [
        "<si><r><t>Drs. H. </t></r><r><rPr><b/></rPr><t>Ma'ruf</t></r></si>",
        '<si><t xml:space="preserve">III/a </t><rPh sb="0" eb="1"><t>x</t></rPh></si>',
    ]
    header = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(6))
    data = '<c r="A2"><v>198001012005011001</v></c><c r="B2" t="s"><v>6</v></c><c r="C2" t="s"><v>7</v></c>'
    data += '<c r="D2" t="str"><f>"X"</f><v>Analis</v></c><c r="E2" t="inlineStr"><is><t>Dinas</t></is></c>'
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="applicat'
        'ion/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedS'
        'trings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+x'
        'ml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{rel}"><sheets>'
        '<sheet name="Lembar1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/re'
        f'lationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet {ns}><dimension ref="A1"/><sheetData>'
        f'<row r="1">{header}</row><row r="3">{data}</row></sheetData></worksheet>',
        "xl/sharedStrings.xml": f"<sst {ns}>{''.join(strings)}</sst>",
    }
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for part, xml in parts.items():
            archive.writestr(part, xml)
    assert records(read_table(path, ROSTER)) == [
        {
            "row_number": 3,
            "nip": ROW[0],
            "name": "Drs. H. Ma'ruf",
            "golongan": "III/a",
            "position": "Analis",
            "unit": "Dinas",
            "superior_nip": None,
        }
    ]


# Problems with the whole file


@pytest.mark.parametrize("text", ["", "\n\n ; ;\n", "\ufeff"])
def test_a_file_without_any_text_is_empty(tmp_path, text):
    problem = problem_of(write_text(tmp_path, text))
    assert (problem.code, problem.params["reason"]) == ("file.empty", "no_header")


def test_a_header_only_file_is_empty(tmp_path):
    problem = problem_of(write_text(tmp_path, ";".join(HEADER) + "\n;;;\n"))
    assert (problem.code, problem.params["reason"]) == ("file.empty", "no_rows")


def test_a_workbook_without_cells_is_empty(tmp_path):
    assert problem_of(write_xlsx(tmp_path, [])).code == "file.empty"


def test_a_missing_required_column_is_reported_with_what_was_expected_and_found(tmp_path):
    problem = problem_of(write_text(tmp_path, "NIP;NAMA;JABATAN;KET\n1;A;X;Y\n"))
    assert problem.code == "file.missing_columns"
    assert problem.params["missing"] == ["golongan", "unit"]
    assert problem.params["expected"] == ["GOL/RUANG", "UNIT KERJA"]
    assert problem.params["found"] == ["NIP", "NAMA", "JABATAN", "KET"]


def test_two_headers_for_the_same_column_are_a_duplicate(tmp_path):
    problem = problem_of(write_text(tmp_path, ";".join([*HEADER, "NIP BARU"]) + "\n" + ";".join([*ROW, "2"])))
    assert (problem.code, problem.column, problem.params["headers"]) == (
        "file.duplicate_column",
        "nip",
        ["NIP", "NIP BARU"],
    )


@pytest.mark.parametrize("suffix", [".xls", ".pdf", ".XLS", ""])
def test_other_file_types_are_unsupported(tmp_path, suffix):
    problem = problem_of(write_text(tmp_path, "NIP\n1\n", name=f"roster{suffix}"))
    assert (problem.code, problem.params["suffix"]) == ("file.unsupported_type", suffix.lower())


@pytest.mark.parametrize("name", ["roster.xlsx", "roster.csv"])
def test_random_bytes_are_unreadable_with_a_short_detail(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(os.urandom(4096))
    problem = problem_of(path)
    assert problem.code == "file.unreadable"
    assert problem.params["detail"] and "Error" not in problem.params["detail"]


def test_a_workbook_renamed_to_csv_is_unreadable(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, ROW])
    assert problem_of(path.rename(tmp_path / "roster.csv")).code == "file.unreadable"


def test_a_missing_file_is_not_found(tmp_path):
    assert problem_of(tmp_path / "nope.csv").code == "file.not_found"


def test_the_sha256_is_of_the_file_bytes_and_stable(tmp_path):
    path = write_text(tmp_path, ";".join(HEADER) + "\n" + ";".join(ROW))
    first, second = read_table(path, ROSTER), read_table(path, ROSTER)
    assert first.sha256 == second.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    other = write_text(tmp_path, ";".join(HEADER) + "\n" + ";".join(ROW) + "\n", name="other.csv")
    assert read_table(other, ROSTER).sha256 != first.sha256


@pytest.mark.slow
def test_a_hundred_thousand_rows_are_read_quickly(tmp_path):
    rows = [
        [
            f"19800101200501{i:04d}",
            f"Nama {i}, S.Sos.",
            "III/a",
            "Analis",
            "Dinas",
            "",
            f"a{i}@x.id",
            f"0812{i:08d}",
            "ok",
        ]
        for i in range(100_000)
    ]
    header = [*HEADER, "EMAIL", "NO HP", "KET"]
    with open(tmp_path / "big.csv", "w", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *rows])
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in [header, *rows]:
        sheet.append(row)
    book.save(tmp_path / "big.xlsx")
    # Measured here: the CSV in 1.4-1.8 s, the XLSX in 15-17 s, before and after the header search alike
    # (2 s and 15 s were exceeded on a loaded box).
    for name, limit in (("big.csv", 4), ("big.xlsx", 30)):
        start = time.perf_counter()
        frame = read_table(tmp_path / name, ROSTER).frame
        assert time.perf_counter() - start < limit
        assert frame.shape == (100_000, 10)
        assert frame.iloc[-1]["phone"] == "081200099999"


# A government export: a title block above the header, a signature block under the table


TITLE = [
    ["DAFTAR PESERTA PELATIHAN KEPEMIMPINAN PENGAWAS ANGKATAN I TAHUN 2022"],
    ["BKPSDMD KOTA JAMBI"],
    [],
    ["No", "Keterangan"],  # a stray row that matches nothing of the format
]
SIGNATURE = [
    [],
    ["", "", "", "", "Jambi, 11 Juli 2022"],
    ["", "", "", "", "Mengetahui,"],
    ["", "", "", "", "Kepala BKPSDMD Kota Jambi"],
    [],
    ["", "", "", "", "Drs. H. Ahmad Fauzi, M.Si", ""],
    ["", "", "", "", "NIP. 19700101 199003 1 001"],
]
SECOND = ["198502022010012002", "Siti Aminah, S.E.", "III/b", "Kasubbag", "Dinas Y", ""]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_header_is_found_under_a_title_block_and_a_signature_block_is_not_data(tmp_path, suffix):
    rows = [*TITLE, HEADER, ROW, SECOND, *SIGNATURE]
    if suffix == "xlsx":
        path = write_xlsx(tmp_path, rows)
    else:
        text = "\n".join(";".join(cell for cell in row) for row in rows)
        path = write_text(tmp_path, text)
    table = read_table(path, ROSTER)
    assert table.header_row == 5
    assert [r["nip"] for r in records(table)] == [ROW[0], SECOND[0]]
    # said in the run's summary, never quarantined rows; a CSV numbers its lines as a spreadsheet its rows
    assert table.footer_rows == (9, 10, 11, 13, 14)
    assert "Mengetahui," not in str(table.frame.to_dict())


def test_a_header_with_every_required_column_wins_over_an_earlier_partial_match(tmp_path):
    rows = [["NIP", "NAMA"], ["(kolom wajib)", ""], HEADER, ROW]  # an explanation row above the real header
    table = read_table(write_xlsx(tmp_path, rows), ROSTER)
    assert table.header_row == 3 and records(table)[0]["nip"] == ROW[0]


def test_an_incomplete_last_participant_row_is_data_not_a_footer(tmp_path):
    half = ["198601012011011003", "Budi", "III/c", "", "", ""]  # three of six cells: a row to quarantine
    table = read_table(write_xlsx(tmp_path, [HEADER, ROW, half]), ROSTER)
    assert table.footer_rows == () and len(table.frame) == 2


def test_a_last_row_with_one_value_and_no_footer_words_is_data(tmp_path):
    table = read_table(write_xlsx(tmp_path, [HEADER, ROW, ["", "", "", "Analis"]]), ROSTER)
    assert table.footer_rows == () and len(table.frame) == 2


def test_a_long_tail_of_sparse_rows_is_data_quarantined_row_by_row_not_skipped(tmp_path):
    tail = [[f"19860101201101{i:04d}"] for i in range(13)]  # more rows than any signature block
    table = read_table(write_xlsx(tmp_path, [HEADER, ROW, *tail]), ROSTER)
    assert table.footer_rows == () and len(table.frame) == 14


def test_a_file_without_the_formats_columns_still_names_what_is_missing(tmp_path):
    problem = problem_of(write_xlsx(tmp_path, [["JUDUL"], ["A", "B"], ["1", "2"]]))
    assert problem.code == "file.missing_columns" and problem.params["found"] == ["JUDUL"]
