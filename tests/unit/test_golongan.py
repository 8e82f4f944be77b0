import pytest

from diklat.domain.golongan import (
    at_least,
    check_golongan,
    normalize_golongan,
    rank_index,
)
from diklat.domain.problems import Problem
from schemas.golongan import GOLONGAN, TITLES

pytestmark = pytest.mark.unit


def test_there_are_seventeen_ranks_from_i_a_to_iv_e_in_order():
    assert len(GOLONGAN) == 17
    assert GOLONGAN[0] == "I/a"
    assert GOLONGAN[-1] == "IV/e"
    assert GOLONGAN.index("II/d") < GOLONGAN.index("III/a") < GOLONGAN.index("IV/a")


def test_every_rank_has_its_title():
    assert set(TITLES) == set(GOLONGAN)
    assert TITLES["I/a"] == "Juru Muda"
    assert TITLES["III/b"] == "Penata Muda Tk I"
    assert TITLES["IV/d"] == "Pembina Utama Madya"
    assert TITLES["IV/e"] == "Pembina Utama"


@pytest.mark.parametrize(
    "raw",
    [
        "III/b",
        "III-b",
        "IIIb",
        "3b",
        "3/b",
        "III / B",
        "iii/b",
        "III.b",
        "III/B",
        " III/b\u00a0",
        "Penata Muda Tk. I (III/b)",
        "III/b (Penata Muda Tk I)",
        "Penata Muda Tingkat I",
        "penata muda tk.1",
        "Gol. III/b",
    ],
)
def test_the_ways_operators_write_iii_b_are_all_understood(raw):
    assert normalize_golongan(raw) == "III/b"


def test_a_title_alone_gives_its_rank():
    assert normalize_golongan("Penata") == "III/c"
    assert normalize_golongan("Pembina Utama") == "IV/e"
    assert normalize_golongan("Juru Tk I") == "I/d"


def test_each_canonical_code_and_each_title_normalises_to_itself():
    for code, title in TITLES.items():
        assert normalize_golongan(code) == code
        assert normalize_golongan(title) == code


@pytest.mark.parametrize(
    "raw",
    ["III/e", "I/e", "II/e", "V/a", "IV/f", "5a", "Penata (III/b)", "Penata Besar", "golongan", "3", 3],
)
def test_unrecognisable_or_impossible_ranks_normalise_to_none(raw):
    assert normalize_golongan(raw) is None


def test_only_golongan_iv_has_ruang_e():
    assert normalize_golongan("IV/e") == "IV/e"
    assert normalize_golongan("4e") == "IV/e"


@pytest.mark.parametrize("raw", [None, "", "  ", float("nan")])
def test_an_empty_rank_is_missing(raw):
    assert check_golongan(raw, "III/a") == (None, [_problem("golongan.missing", value="")])


def test_an_unknown_rank_is_reported_with_its_value():
    assert check_golongan("Kepala Seksi", None) == (
        None,
        [_problem("golongan.unknown", value="Kepala Seksi")],
    )


def test_a_rank_below_the_minimum_is_reported_and_still_returned():
    assert check_golongan("2d", "III/a") == (
        "II/d",
        [_problem("golongan.below_minimum", value="II/d", minimum="III/a")],
    )


def test_a_rank_at_or_above_the_minimum_passes():
    assert check_golongan("III/a", "III/a") == ("III/a", [])
    assert check_golongan("Pembina", "III/a") == ("IV/a", [])


def test_without_a_minimum_any_known_rank_passes():
    assert check_golongan("I/a", None) == ("I/a", [])


def test_ranks_are_indexed_from_lowest_to_highest():
    assert rank_index("I/a") == 0
    assert rank_index("III/a") == 8
    assert rank_index("IV/e") == 16
    assert rank_index("3b") == 9


def test_rank_index_of_an_unknown_rank_raises():
    with pytest.raises(ValueError):
        rank_index("V/a")


def test_at_least_compares_ranks_not_strings():
    assert at_least("IV/a", "III/d")
    assert at_least("III/a", "III/a")
    assert not at_least("II/d", "III/a")
    assert not at_least("III/a", "III/b")


def _problem(code, **params):
    return Problem(code, "golongan", params)
