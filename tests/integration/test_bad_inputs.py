"""Bad roster rows through the real path: file -> read_table -> gate_roster -> operator's message.

Each case writes a small roster (three good rows, then the bad row as spreadsheet row 5), reads
and gates it as the flow does, and checks the row number, every problem code, the English message
(column, value, what to do), that the Indonesian message renders, and that no row was lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from diklat.domain.gated import Gated
from diklat.gate.roster import gate_roster
from diklat.gate.suites import RosterRules
from diklat.io.read import read_table
from diklat.messages import render
from schemas.files import ROSTER

pytestmark = pytest.mark.integration

TODAY = date(2022, 7, 14)
HEADERS = ("NIP", "NAMA", "GOL/RUANG", "JABATAN", "UNIT KERJA", "NIP ATASAN", "EMAIL", "NO HP")
Row = Mapping[str, object]


def person(nip: str, name: str, golongan: str, superior: str, email: str, phone: str) -> dict[str, object]:
    return dict(
        zip(HEADERS, (nip, name, golongan, "Kepala Seksi", "Dinas Pendidikan", superior, email, phone), strict=True)
    )


GOOD = (
    person(
        "198107122014051001",
        "Dr. Ahmad Kadir Latupono, S.H., M.H.",
        "III/b",
        "197408112002022001",
        "ahmadkadir92@gmail.com",
        "0821540851",
    ),
    person(
        "198503082011102001",
        "Jelita Nuraini, S.Kom.",
        "III/c",
        "196509241993051018",
        "jelita.nuraini@jambikota.go.id",
        "0813233648",
    ),
    person(
        "197705092001121004",
        "Murti Kusumo, S.Sos.",
        "IV/a",
        "197202241999112001",
        "murti.kusumo@jambikota.go.id",
        "081223755422",
    ),
    person(
        "197408142005051027",
        "Jagaraga, S.Kom., M.Pd.",
        "III/c",
        "197208251998091001",
        "jagaraga@jambikota.go.id",
        "0811565409666",
    ),
    person(
        "199001152015032002",
        "Siti Aminah, S.E.",
        "III/a",
        "197506262006041001",
        "siti.aminah@jambikota.go.id",
        "081366554433",
    ),
)
FIRST_NIP = str(GOOD[0]["NIP"])  # spreadsheet row 2
# The fourth row, which each case damages; it is a good row as it stands.
BASE = person("198805162012101001", "Prabawa", "III/c", "197506262006041001", "prabawa@jambikota.go.id", "0813706964")
BASE_NIP = str(BASE["NIP"])
BAD_ROW = 5  # header is row 1, three good rows are rows 2-4


def write_roster(path: Path, rows: list[Row]) -> Path:
    """A roster file as an operator sends it: CSV (all text) or XLSX (cells keep their Python type,
    so a float NIP is a number cell, as Excel stores a NIP typed into a General-formatted column)."""
    if path.suffix == ".csv":
        lines = [",".join(HEADERS)]
        lines += [",".join(_csv_cell(row.get(h)) for h in HEADERS) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(HEADERS)
        for row in rows:
            sheet.append([row.get(h) for h in HEADERS])
        book.save(path)
    return path


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f'"{text}"' if any(ch in text for ch in ',"\n') else text


def gate_file(path: Path, rules: RosterRules | None = None) -> Gated:
    table = read_table(path, ROSTER)
    return gate_roster(table.frame, rules or rules_for(), TODAY)


def rules_for(capacity: int = 30, running_elsewhere: Mapping[str, str] | None = None) -> RosterRules:
    return RosterRules(
        minimum_golongan="III/a",
        capacity=capacity,
        enrolled_here=frozenset(),
        running_elsewhere=dict(running_elsewhere or {}),
    )


def assert_reconciled(gated: Gated, data_rows: int) -> None:
    """Every data row ends exactly once: accepted or quarantined."""
    assert gated.rows_read == data_rows
    assert len(gated.accepted) + len(gated.quarantined) == data_rows
    seen = sorted([*gated.accepted["row_number"].tolist(), *gated.quarantined["row_number"].tolist()])
    assert seen == list(range(2, data_rows + 2))


def messages(gated: Gated, row_number: int, language: str) -> list[str]:
    [problems] = gated.quarantined.loc[gated.quarantined["row_number"] == row_number, "problems"].tolist()
    return [render(p, "roster", language) for p in problems]


@dataclass(frozen=True)
class BadInput:
    changes: dict[str, object]  # cells of the BASE row the operator got wrong
    codes: tuple[str, ...]  # every problem code the row must get (any order)
    words: tuple[str, ...]  # what the English message must say: column, value, what to do
    suffix: str = ".csv"
    capacity: int = 30
    running_elsewhere: dict[str, str] = field(default_factory=dict)
    other_bad_rows: tuple[int, ...] = ()  # good rows the case's rules quarantine too


def case(id_: str, *args: object, xfail: str | None = None, **kwargs: object) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(BadInput(*args, **kwargs), id=id_, marks=marks)


SCIENTIFIC = "1.98805162012101E+17"  # what Excel shows for 198805162012101001 in a General cell
BAD_INPUTS = [
    # NIP: Excel damage
    case(
        "NIP typed as scientific notation in a CSV",
        {"NIP": SCIENTIFIC},
        ("nip.scientific",),
        ("NIP", SCIENTIFIC, "last digits were lost", "Format the column as Text"),
    ),
    case(
        "NIP stored as a number cell in Excel",
        {"NIP": float(BASE_NIP)},
        ("nip.scientific",),
        ("NIP", SCIENTIFIC, "last digits were lost", "Format the column as Text"),
        suffix=".xlsx",
    ),
    case(
        "NIP that went through a float (.0 suffix)",
        {"NIP": "198805162012101000.0"},
        ("nip.float_digits_lost",),
        ("NIP", "198805162012101000.0", "stored as a number", "as Text"),
    ),
    case(
        "NIP whose last three digits became 000",
        {"NIP": "198805162012101000"},
        ("nip.float_digits_lost",),
        ("NIP", "198805**********00", "stored as a number", "type the full 18-digit NIP"),
    ),
    # NIP: shape
    case(
        "NIP with 17 digits",
        {"NIP": "19880516201210100"},
        ("nip.length",),
        ("NIP", "19880516201210100", "has 17 digits", "a NIP has 18"),
    ),
    case(
        "NIP with 19 digits",
        {"NIP": "1988051620121010011"},
        ("nip.length",),
        ("NIP", "1988051620121010011", "has 19 digits", "a NIP has 18"),
    ),
    case(
        "NIP with a letter in it",
        {"NIP": "19880516A012101001"},
        ("nip.not_digits",),
        ("NIP", "19880516A012101001", "characters other than digits"),
    ),
    case("NIP left empty", {"NIP": None}, ("nip.missing",), ("NIP", "is empty", "18-digit NIP")),
    # NIP: the fields inside it (values are masked: a valid-looking NIP is personal data)
    case(
        "NIP birth month 13",
        {"NIP": "198813162012101001"},
        ("nip.birth_date",),
        ("NIP", "198813**********01", "birth date", "Check the NIP"),
    ),
    case(
        "NIP birth day 32",
        {"NIP": "198805322012101001"},
        ("nip.birth_date",),
        ("NIP", "198805**********01", "birth date"),
    ),
    case(
        "NIP born on 30 February",
        {"NIP": "198802302012101001"},
        ("nip.birth_date",),
        ("NIP", "198802**********01", "birth date"),
    ),
    case(
        "NIP born in 1930",
        {"NIP": "193005162012101001"},
        ("nip.birth_date",),
        ("NIP", "193005**********01", "birth date"),
    ),
    case(
        "NIP TMT month 00",
        {"NIP": "198805162012001001"},
        ("nip.tmt",),
        ("NIP", "198805**********01", "TMT CPNS", "month between the birth date and today"),
    ),
    case(
        "NIP TMT in the future",
        {"NIP": "198805162023011001"},
        ("nip.tmt",),
        ("NIP", "198805**********01", "TMT CPNS", "and today"),
    ),
    case(
        "NIP TMT before the birth date",
        {"NIP": "198805161987011001"},
        ("nip.tmt",),
        ("NIP", "198805**********01", "TMT CPNS", "between the birth date"),
    ),
    case(
        "NIP gender digit 3",
        {"NIP": "198805162012103001"},
        ("nip.gender",),
        ("NIP", "198805**********01", "digit 15 must be 1 (male) or 2 (female)"),
    ),
    case(
        "NIP gender digit 0", {"NIP": "198805162012100001"}, ("nip.gender",), ("NIP", "198805**********01", "digit 15")
    ),
    case(
        "NIP with impossible birth date and gender lists both",
        {"NIP": "198813162012103001"},
        ("nip.birth_date", "nip.gender"),
        ("birth date", "digit 15"),
    ),
    # rank
    case(
        "golongan V/a does not exist",
        {"GOL/RUANG": "V/a"},
        ("golongan.unknown",),
        ("GOL/RUANG", "'V/a'", "not a known rank", "III/b"),
    ),
    case(
        "golongan Penata Hebat does not exist",
        {"GOL/RUANG": "Penata Hebat"},
        ("golongan.unknown",),
        ("GOL/RUANG", "'Penata Hebat'", "not a known rank"),
    ),
    case(
        "golongan title contradicts its code",
        {"GOL/RUANG": "Penata (III/b)"},
        ("golongan.unknown",),
        ("GOL/RUANG", "'Penata (III/b)'", "not a known rank"),
    ),
    case("golongan left empty", {"GOL/RUANG": None}, ("golongan.missing",), ("GOL/RUANG", "is empty", "e.g. III/b")),
    case(
        "golongan II/d below the III/a minimum",
        {"GOL/RUANG": "II/d"},
        ("golongan.below_minimum",),
        ("GOL/RUANG", "'II/d'", "below the minimum rank III/a"),
    ),
    # name
    case("name left empty", {"NAMA": None}, ("name.missing",), ("NAMA", "is empty", "full name")),
    case("name of spaces only", {"NAMA": "   "}, ("name.missing",), ("NAMA", "is empty")),
    case("name of spaces only in Excel", {"NAMA": "   "}, ("name.missing",), ("NAMA", "is empty"), suffix=".xlsx"),
    case(
        "name longer than 200 characters",
        {"NAMA": "Prabawa " * 30},
        ("value.too_long",),
        ("NAMA", "longer than 200 characters", "Shorten"),
    ),
    # rows against each other
    case(
        "NIP already in row 2 of the file",
        {"NIP": FIRST_NIP},
        ("row.duplicate_nip",),
        ("NIP", "row 2", "Keep only one row"),
    ),
    case(
        "NIP in row 2 written with spaces",
        {"NIP": "19810712 201405 1 001"},
        ("row.duplicate_nip",),
        ("NIP", "row 2", "Keep only one row"),
    ),
    # superior, e-mail, phone
    case(
        "NIP ATASAN too short",
        {"NIP ATASAN": "19750626200604"},
        ("nip.length",),
        ("NIP ATASAN", "19750626200604", "has 14 digits"),
    ),
    case(
        "NIP ATASAN with birth month 13",
        {"NIP ATASAN": "197513262006041001"},
        ("nip.birth_date",),
        ("NIP ATASAN", "197513**********01", "birth date"),
    ),
    case(
        "NIP ATASAN as an Excel number cell",
        {"NIP ATASAN": float("197506262006041001")},
        ("nip.scientific",),
        ("NIP ATASAN", "1.97506262006041E+17", "last digits were lost"),
        suffix=".xlsx",
    ),
    case(
        "NIP ATASAN is the participant's own NIP",
        {"NIP ATASAN": BASE_NIP},
        ("superior.self",),
        ("NIP ATASAN", "own NIP", "direct superior"),
    ),
    case(
        "e-mail without a domain",
        {"EMAIL": "prabawa@"},
        ("email.invalid",),
        ("EMAIL", "'prabawa@'", "not a valid e-mail address", "leave it empty"),
    ),
    case(
        "e-mail with a space",
        {"EMAIL": "prabawa @jambikota.go.id"},
        ("email.invalid",),
        ("EMAIL", "'prabawa @jambikota.go.id'", "not a valid e-mail address"),
    ),
    case(
        "phone with letters",
        {"NO HP": "0812abc"},
        ("phone.invalid",),
        ("NO HP", "'0812abc'", "not a valid phone number", "081234567890"),
    ),
    case("phone too short", {"NO HP": "0812"}, ("phone.invalid",), ("NO HP", "'0812'", "digits only")),
    case(
        "phone as an Excel number lost its leading zero",
        {"NO HP": 81234567890},
        ("phone.leading_zero",),
        ("NO HP", "'81234567890'", "lost its leading 0", "Format the column as Text"),
        suffix=".xlsx",
    ),
    # several faults in one row: every reason is listed
    case(
        "several faults in one row",
        {"NIP": "123", "NAMA": None, "GOL/RUANG": "V/a", "EMAIL": "x"},
        ("nip.length", "name.missing", "golongan.unknown", "email.invalid"),
        ("NIP '123' has 3 digits", "NAMA is empty", "GOL/RUANG 'V/a'", "EMAIL 'x'"),
    ),
    case(
        "row with only a position filled in",
        {h: None for h in HEADERS if h != "JABATAN"},
        ("nip.missing", "name.missing", "golongan.missing"),
        ("NIP is empty", "NAMA is empty", "GOL/RUANG is empty"),
    ),
    # against the database and the template
    case(
        "fourth row over a capacity of 3",
        {},
        ("capacity.exceeded",),
        ("The cohort is full (3 participants)", "open another cohort"),
        capacity=3,
    ),
    case(
        "NIP enrolled in a running cohort",
        {},
        ("enrolment.in_running_cohort",),
        ("already enrolled in a running cohort (PKP X / Angkatan 1)", "Withdraw them there first"),
        running_elsewhere={BASE_NIP: "PKP X / Angkatan 1"},
    ),
    case(
        "NIP enrolled elsewhere and also duplicated in the file lists both",
        {"NIP": FIRST_NIP},
        ("row.duplicate_nip", "enrolment.in_running_cohort"),
        ("row 2", "running cohort (PKP X / Angkatan 1)"),
        running_elsewhere={FIRST_NIP: "PKP X / Angkatan 1"},
        other_bad_rows=(2,),
    ),
]


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_a_bad_row_is_quarantined_with_every_reason_in_operator_words(bad: BadInput, tmp_path: Path) -> None:
    rows = [*GOOD[:3], {**BASE, **bad.changes}]
    roster = write_roster(tmp_path / f"roster{bad.suffix}", rows)

    gated = gate_file(roster, rules_for(bad.capacity, bad.running_elsewhere))

    assert_reconciled(gated, len(rows))
    quarantined = gated.quarantined
    assert quarantined["row_number"].tolist() == [*bad.other_bad_rows, BAD_ROW]
    [problems] = quarantined.loc[quarantined["row_number"] == BAD_ROW, "problems"].tolist()
    assert sorted(p.code for p in problems) == sorted(bad.codes)
    english = " ".join(messages(gated, BAD_ROW, "en"))
    for word in bad.words:
        assert word in english, f"{word!r} not in {english!r}"
    for text in messages(gated, BAD_ROW, "id"):
        assert text.strip() and "{" not in text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_five_good_rows_with_capacity_three_quarantine_rows_5_and_6(suffix: str, tmp_path: Path) -> None:
    gated = gate_file(write_roster(tmp_path / f"roster{suffix}", list(GOOD)), rules_for(capacity=3))

    assert_reconciled(gated, 5)
    assert gated.accepted["nip"].tolist() == [g["NIP"] for g in GOOD[:3]]
    assert gated.quarantined["row_number"].tolist() == [5, 6]
    for row in (5, 6):
        [problem] = gated.quarantined.loc[gated.quarantined["row_number"] == row, "problems"].tolist()[0]
        assert problem.code == "capacity.exceeded"
        assert "full (3 participants)" in render(problem, "roster", "en")


def test_only_the_second_occurrence_of_a_duplicate_is_quarantined_and_names_the_first(tmp_path: Path) -> None:
    rows = [*GOOD[:3], {**BASE, "NIP": "19850308 201110 2 001"}, {**BASE, "NIP": FIRST_NIP, "NAMA": "Ahmad K."}]
    gated = gate_file(write_roster(tmp_path / "roster.csv", rows))

    assert_reconciled(gated, 5)
    assert gated.quarantined["row_number"].tolist() == [5, 6]
    assert messages(gated, 5, "en") == ["This NIP already appears in row 3 of this file. Keep only one row."]
    assert messages(gated, 6, "en") == ["This NIP already appears in row 2 of this file. Keep only one row."]
    # The quarantined row keeps exactly what the operator typed, so the fix file shows it back.
    assert gated.quarantined.loc[0, "raw"]["nip"] == "19850308 201110 2 001"


NAMES = (
    "Drs. H. Ma'ruf, S.Sos., M.Si.",
    "Dr. Ir. Hj. Sri Rahayu Ningsih, M.T.",
    "dr. I Gusti Ayu Putu D'Arcy, Sp.A.",
    "Prof. Dr. Muh. Nur-Ali bin Abd. Rahman, S.H., M.Hum.",
)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_with_titles_and_apostrophes_are_accepted_and_kept_exactly(suffix: str, tmp_path: Path) -> None:
    rows = [{**good, "NAMA": name} for good, name in zip(GOOD, NAMES, strict=False)]
    gated = gate_file(write_roster(tmp_path / f"roster{suffix}", rows))

    assert_reconciled(gated, len(NAMES))
    assert gated.quarantined.empty
    assert gated.accepted["name"].tolist() == list(NAMES)
