"""Synthetic operator files: seeded, structurally valid, with faults exactly where reported."""

from __future__ import annotations

import random
import time
from datetime import date

import openpyxl
import pandas as pd
import pytest

from diklat.synth.faults import FAULTS, FaultContext
from diklat.synth.people import GOL_INDEX, GOLONGAN, age_on, make_nip, make_org, make_people
from diklat.synth.personnel import COLUMNS, personnel_frame
from diklat.synth.roster import HEADERS, coaches_frame, make_roster, roster_frame, write_table

pytestmark = pytest.mark.unit

TODAY = date(2022, 7, 14)
TITLES = (
    "Drs.",
    "Dra.",
    "Dr.",
    "H.",
    "Hj.",
    "Ir.",
    "S.Sos.",
    "S.E.",
    "S.H.",
    "S.Kom.",
    "S.T.",
    "M.Si.",
    "M.M.",
    "M.Pd.",
    "S.Kep.",
)


def nip_problem(nip: str, today: date = TODAY) -> str | None:
    """Why an NIP breaks the structure of Perka BKN 22/2007, or None when it is sound."""
    if len(nip) != 18 or not nip.isdigit():
        return "not 18 digits"
    try:
        birth = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
        tmt = date(int(nip[8:12]), int(nip[12:14]), 1)
    except ValueError:
        return "impossible date"
    if nip[14] not in "12":
        return "gender digit"
    if tmt > today or tmt <= birth:
        return "TMT CPNS out of range"
    if nip[15:] == "000":
        return "sequence 000"
    return None


def test_make_nip_lays_out_birth_tmt_gender_and_sequence():
    nip = make_nip(random.Random(0), date(1980, 1, 1), date(2005, 1, 1), "L", 1)
    assert nip == "198001012005011001"
    assert make_nip(random.Random(0), date(1980, 1, 1), date(2005, 1, 1), "P", 12)[14:] == "2012"


def test_the_same_seed_gives_an_identical_roster():
    first = make_roster(30, seed=7, today=TODAY, faults=5, messy=True)
    second = make_roster(30, seed=7, today=TODAY, faults=5, messy=True)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first.clean_frame, second.clean_frame)
    assert first.faults == second.faults


def test_different_seeds_give_different_rosters():
    assert not make_roster(30, seed=1, today=TODAY).frame.equals(make_roster(30, seed=2, today=TODAY).frame)


def test_people_have_unique_structurally_valid_nips_consistent_with_their_dates():
    people = make_people(500, seed=3, today=TODAY)
    assert len({p.nip for p in people}) == 500
    for p in people:
        assert nip_problem(p.nip) is None, p.nip
        assert p.nip[:8] == f"{p.birth_date:%Y%m%d}" and p.nip[8:14] == f"{p.tmt_cpns:%Y%m}"
        assert p.nip[14] == ("1" if p.gender == "L" else "2")
        assert 30 <= age_on(p.birth_date, TODAY) <= 56
        assert 22 <= age_on(p.birth_date, p.tmt_cpns) <= 32
        assert p.tmt_cpns <= p.appointed_date <= TODAY


def test_people_hold_plausible_ranks_posts_and_contacts():
    people = make_people(300, seed=4, today=TODAY)
    assert all(GOL_INDEX[p.golongan] >= GOL_INDEX["III/a"] for p in people)
    pengawas = [p for p in people if p.position_type == "pengawas"]
    assert len(pengawas) > 200
    assert all(p.position.startswith(("Kepala ", "Lurah ")) for p in pengawas)
    assert {p.position_type for p in people} <= {"pengawas", "pelaksana", "fungsional"}
    assert len({p.unit for p in people}) >= 20
    assert all(p.email == p.email.lower() and p.email.isascii() for p in people)
    assert all(p.email.endswith(("@jambikota.go.id", "@gmail.com")) for p in people)
    assert all(p.phone.startswith("08") and p.phone.isdigit() and 10 <= len(p.phone) <= 13 for p in people)


def test_each_unit_has_one_eselon_iii_superior_that_its_people_point_to():
    org = make_org(100, seed=5, today=TODAY)
    superiors = {s.unit: s.nip for s in org.superiors}
    assert len(superiors) == len(org.superiors)
    assert all(p.superior_nip == superiors[p.unit] for p in org.people)
    assert not {s.nip for s in org.superiors} & {p.nip for p in org.people}


def test_names_carry_titles_and_apostrophes_at_least_sometimes():
    names = [p.name for p in make_people(200, seed=6, today=TODAY)]
    assert sum(any(t in n for t in TITLES) for n in names) > 100
    assert any("'" in n for n in names)
    assert any(n.startswith(("H. ", "Drs. H. ", "Dr. H. ")) for n in names)
    women = [p.name for p in make_people(200, seed=6, today=TODAY) if p.gender == "P"]
    assert not any(" H. " in f" {n}" for n in women)


def test_roster_frame_uses_the_first_indonesian_header_and_only_strings():
    frame = roster_frame(make_people(10, seed=8, today=TODAY))
    assert list(frame.columns) == [
        "NIP",
        "NAMA",
        "GOL/RUANG",
        "JABATAN",
        "UNIT KERJA",
        "NIP ATASAN",
        "EMAIL",
        "NO HP",
    ]
    assert list(frame.columns) == list(HEADERS)
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    assert frame["NIP"].str.fullmatch(r"\d{18}").all()


def test_a_messy_roster_spaces_some_nips_and_respells_some_ranks():
    frame = roster_frame(make_people(200, seed=9, today=TODAY), messy=True, seed=9)
    assert frame["NIP"].str.fullmatch(r"\d{8} \d{6} [12] \d{3}").any()
    assert (~frame["GOL/RUANG"].isin(GOLONGAN)).any()
    assert frame["NIP"].str.replace(" ", "").str.fullmatch(r"\d{18}").all()


def test_five_faults_give_five_bad_rows_at_the_reported_row_numbers():
    roster = make_roster(30, seed=11, today=TODAY, faults=5)
    assert len(roster.frame) == len(roster.clean_frame) == 30
    assert sorted(f.fault for f in roster.faults) == sorted(
        ["nip_scientific", "nip_short", "golongan_unknown", "name_missing", "duplicate_nip"]
    )
    bad = {f.row_number - 2 for f in roster.faults}
    differs = {i for i in range(30) if not roster.frame.iloc[i].equals(roster.clean_frame.iloc[i])}
    assert differs == bad
    for fault in roster.faults:
        assert roster.clean_frame.iloc[fault.row_number - 2]["NIP"] == fault.nip


def test_the_clean_frame_holds_n_unique_valid_people():
    roster = make_roster(30, seed=12, today=TODAY, faults=5)
    nips = roster.clean_frame["NIP"]
    assert nips.is_unique and len(nips) == 30
    assert all(nip_problem(n) is None for n in nips)
    assert list(nips) == [p.nip for p in roster.people]
    pd.testing.assert_frame_equal(roster.clean_frame, roster_frame(roster.people))
    assert (roster.clean_frame["NAMA"] != "").all()


def test_duplicate_nip_copies_the_nip_of_an_earlier_good_row():
    roster = make_roster(30, seed=13, today=TODAY, faults={"duplicate_nip": 2})
    good = set(range(30)) - {f.row_number - 2 for f in roster.faults}
    for fault in roster.faults:
        index = fault.row_number - 2
        copied = roster.frame.iloc[index]["NIP"]
        assert any(roster.frame.iloc[j]["NIP"] == copied for j in good if j < index)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_named_fault_breaks_its_row_and_says_why(name):
    row = roster_frame(make_people(2, seed=14, today=TODAY)).to_dict("records")
    ctx = FaultContext(TODAY, earlier_nips=(row[0]["NIP"],))
    faulted, description = FAULTS[name](dict(row[1]), random.Random(0), ctx)
    assert faulted != row[1] and description
    if faulted["NIP"] != row[1]["NIP"] and name != "duplicate_nip":
        assert nip_problem(faulted["NIP"]) is not None


def test_too_many_faults_for_the_rows_are_refused():
    with pytest.raises(ValueError):
        make_roster(3, seed=1, today=TODAY, faults=3)


def test_xlsx_keeps_nips_as_text_except_the_scientific_fault_as_a_float(tmp_path):
    roster = make_roster(30, seed=15, today=TODAY, faults={"nip_scientific": 1, "name_missing": 1})
    path = write_table(roster.frame, tmp_path / "peserta.xlsx")
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(HEADERS)
    damaged = {f.row_number: f.fault for f in roster.faults}
    for number, values in enumerate(rows[1:], start=2):
        if damaged.get(number) == "nip_scientific":
            nip = next(f.nip for f in roster.faults if f.row_number == number)
            assert isinstance(values[0], float) and abs(values[0] - float(nip)) < 1e4
        else:
            assert isinstance(values[0], str) and values[0] == roster.frame.iloc[number - 2]["NIP"]
        assert isinstance(values[5], str)
        assert (values[1] is None) == (damaged.get(number) == "name_missing")


def test_csv_is_written_with_the_chosen_separator_and_encoding(tmp_path):
    frame = make_roster(20, seed=16, today=TODAY, messy=True).frame
    path = write_table(frame, tmp_path / "peserta.csv", sep=";", encoding="cp1252")
    text = path.read_bytes().decode("cp1252")
    assert text.splitlines()[0] == ";".join(HEADERS)
    back = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_coaches_are_titled_widyaiswara_with_valid_nips():
    frame = coaches_frame(20, seed=17)
    assert list(frame.columns) == ["NIP", "NAMA", "EMAIL"]
    assert frame["NIP"].is_unique and all(nip_problem(n) is None for n in frame["NIP"])
    assert frame["NAMA"].str.contains(r"M\.\w+\.$").all()
    pd.testing.assert_frame_equal(frame, coaches_frame(20, seed=17))


def test_personnel_frame_has_the_columns_and_sound_values():
    frame = personnel_frame(10_000, seed=18, today=TODAY, trained_share=0.6, in_post_share=0.2)
    assert frame.shape == (10_000, len(COLUMNS)) and list(frame.columns) == list(COLUMNS)
    assert frame["NIP"].is_unique
    assert all(nip_problem(n) is None for n in frame["NIP"].sample(2_000, random_state=0))
    assert set(frame["JENIS JABATAN"]) == {"pengawas", "pelaksana", "fungsional"}
    assert set(frame["SUDAH PKP"]) == {"YA", "TIDAK"}
    assert frame["GOL/RUANG"].isin(GOLONGAN).all()
    assert (frame["TMT JABATAN"] <= TODAY.isoformat()).all()
    pengawas = frame[frame["JENIS JABATAN"] == "pengawas"]
    assert 0.17 < len(pengawas) / len(frame) < 0.23
    assert 0.55 < (pengawas["SUDAH PKP"] == "YA").mean() < 0.65
    assert (frame.loc[frame["JENIS JABATAN"] != "pengawas", "SUDAH PKP"] == "TIDAK").all()
    pd.testing.assert_frame_equal(
        frame, personnel_frame(10_000, seed=18, today=TODAY, trained_share=0.6, in_post_share=0.2)
    )


@pytest.mark.slow
def test_personnel_frame_builds_200_000_rows_quickly():
    start = time.perf_counter()
    frame = personnel_frame(200_000, seed=19, today=TODAY)
    assert len(frame) == 200_000 and frame["NIP"].is_unique
    assert time.perf_counter() - start < 15
