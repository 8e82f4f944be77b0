import time
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from diklat.domain.nip import (
    NipParts,
    check_nip,
    check_nips,
    format_nip,
    mask_nip,
    normalize_nip,
    parse_nip,
)
from diklat.domain.nip_layout import birthdays, parse_nips

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 27)
VALID = "198001012005011001"


def codes(raw, today=TODAY):
    return [problem.code for problem in check_nip(raw, today)[1]]


# normalize_nip


def test_a_nip_with_spaces_is_normalised():
    assert normalize_nip("19800101 200501 1 001") == VALID


def test_dots_dashes_and_non_breaking_spaces_are_removed():
    assert normalize_nip("19800101.200501-1\u00a0001") == VALID
    assert normalize_nip("\u00a019800101\u202f200501 1 001\u00a0") == VALID


def test_the_excel_text_apostrophe_and_surrounding_quotes_are_removed():
    assert normalize_nip("'198001012005011001") == VALID
    assert normalize_nip('"198001012005011001"') == VALID
    assert normalize_nip("\u201c19800101 200501 1 001\u201d") == VALID


def test_an_int_is_turned_into_its_digits():
    assert normalize_nip(198001012005011001) == VALID


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", float("nan"), pd.NA, pd.NaT, "'"])
def test_empty_values_normalise_to_none(raw):
    assert normalize_nip(raw) is None


def test_normalising_does_not_validate():
    assert normalize_nip("12ab") == "12ab"


# check_nip: valid values


@pytest.mark.parametrize(
    "raw",
    [
        VALID,
        "19800101 200501 1 001",
        "'198001012005011001",
        "19800101\u00a0200501\u00a01\u00a0001",
        198001012005011001,
        " 198001012005011001 ",
    ],
)
def test_a_valid_nip_is_returned_as_18_digits_without_problems(raw):
    assert check_nip(raw, TODAY) == (VALID, [])


def test_a_woman_with_gender_digit_2_is_valid():
    assert check_nip("198001012005012001", TODAY) == ("198001012005012001", [])


def test_someone_born_on_29_february_in_a_leap_year_is_valid():
    assert check_nip("198402292005011001", TODAY) == ("198402292005011001", [])


def test_someone_born_on_29_february_turns_17_on_1_march():
    nip = "200802292024011001"
    assert "nip.birth_date" in codes(nip, today=date(2025, 2, 28))
    assert "nip.birth_date" not in codes(nip, today=date(2025, 3, 1))


def test_someone_turning_17_today_is_old_enough():
    nip = "200911272026011001"
    assert check_nip(nip, today=date(2026, 11, 27)) == (nip, [])
    assert codes(nip, today=date(2026, 11, 26)) == ["nip.birth_date"]


def test_a_tmt_in_the_current_month_is_not_in_the_future():
    assert check_nip("198001012026111001", TODAY) == ("198001012026111001", [])


# check_nip: format-level problems


@pytest.mark.parametrize("raw", [None, "", "  ", float("nan"), pd.NA])
def test_an_empty_value_is_missing(raw):
    nip, problems = check_nip(raw, TODAY)
    assert nip is None
    assert [p.code for p in problems] == ["nip.missing"]
    assert problems[0].column == "nip"
    assert "value" in problems[0].params


@pytest.mark.parametrize("raw", ["1.98001012005011E+17", "1,98001E+17", "1.98001E17", "'1.98001012005011E+17"])
def test_scientific_notation_is_reported_with_its_value(raw):
    nip, problems = check_nip(raw, TODAY)
    assert nip is None
    assert [p.code for p in problems] == ["nip.scientific"]
    assert problems[0].params["value"] == raw


def test_a_float_value_has_lost_digits():
    nip, problems = check_nip(198001012005011001.0, TODAY)
    assert nip is None
    assert [p.code for p in problems] == ["nip.float_digits_lost"]
    assert problems[0].params["value"].startswith("198001")
    assert "*" in problems[0].params["value"]


def test_a_digit_string_ending_in_point_zero_has_been_through_a_float():
    assert codes("198001012005011000.0") == ["nip.float_digits_lost"]
    assert codes("198001012005011001.0") == ["nip.float_digits_lost"]


def test_an_18_digit_nip_with_sequence_000_is_excel_truncation():
    # Excel keeps 15 significant digits: 198001012005011001 becomes 198001012005011000.
    nip, problems = check_nip("198001012005011000", TODAY)
    assert nip is None
    assert [p.code for p in problems] == ["nip.float_digits_lost"]
    assert problems[0].params["value"] == "198001**********00"


def test_a_small_whole_float_is_judged_by_its_length():
    assert codes(12345.0) == ["nip.length"]


def test_a_fractional_float_is_not_digits():
    assert codes(1.5) == ["nip.not_digits"]


@pytest.mark.parametrize("raw", ["19800101200501100A", "NIP 198001012005011001", "1980/0101/2005011001"])
def test_letters_and_other_characters_are_not_digits(raw):
    nip, problems = check_nip(raw, TODAY)
    assert nip is None
    assert [p.code for p in problems] == ["nip.not_digits"]
    assert problems[0].params["value"] == raw


def test_a_17_digit_value_has_the_wrong_length():
    nip, problems = check_nip("19800101200501100", TODAY)
    assert nip is None
    assert [p.code for p in problems] == ["nip.length"]
    assert problems[0].params == {"value": "19800101200501100", "length": 17}


def test_a_19_digit_value_has_the_wrong_length():
    _, problems = check_nip("1980010120050110011", TODAY)
    assert [p.code for p in problems] == ["nip.length"]
    assert problems[0].params["length"] == 19


def test_only_the_format_problem_is_reported_when_the_length_is_wrong():
    # Gender digit and birth date would be wrong too if read at these positions.
    assert codes("19809999200501301") == ["nip.length"]


# check_nip: content problems


@pytest.mark.parametrize(
    "raw",
    [
        "198002302005011001",  # 30 February
        "198013012005011001",  # month 13
        "193912312005011001",  # born before 1940
        "201001012025011001",  # 16 years old on TODAY
        "198302292005011001",  # 29 February in a common year
    ],
)
def test_an_impossible_birth_date_is_reported(raw):
    assert codes(raw) == ["nip.birth_date"]


@pytest.mark.parametrize(
    "raw",
    [
        "198001012005131001",  # month 13
        "198001012005001001",  # month 00
        "198006011980051001",  # TMT May 1980, before the June 1980 birth
        "198001011980011001",  # TMT 1 January 1980 is the birth date itself, not after it
        "198001012026121001",  # December 2026 is after TODAY
    ],
)
def test_an_impossible_tmt_cpns_is_reported(raw):
    assert codes(raw) == ["nip.tmt"]


@pytest.mark.parametrize("digit", ["0", "3", "9"])
def test_a_gender_digit_other_than_1_or_2_is_reported(digit):
    assert codes(f"19800101200501{digit}001") == ["nip.gender"]


def test_every_content_problem_that_applies_is_reported():
    assert codes("198001012027013001") == ["nip.tmt", "nip.gender"]
    assert codes("198002302027013001") == ["nip.birth_date", "nip.tmt", "nip.gender"]


def test_content_problems_carry_the_masked_value():
    _, problems = check_nip("19800101 200501 3 001", TODAY)
    assert problems[0].params == {"value": "198001**********01"}


# parse, format, mask


def test_a_nip_is_split_into_its_fields():
    assert parse_nip(VALID) == NipParts(birth_date=date(1980, 1, 1), tmt_cpns=date(2005, 1, 1), gender="L", sequence=1)
    assert parse_nip("19660801 198803 2 123").gender == "P"
    assert parse_nip("19660801 198803 2 123").sequence == 123


@pytest.mark.parametrize("raw", ["1980010120050110", "198001012005013001", "198002302005011001"])
def test_parsing_something_that_is_not_a_nip_raises(raw):
    with pytest.raises(ValueError):
        parse_nip(raw)


def test_a_nip_is_printed_in_four_groups():
    assert format_nip(VALID) == "19800101 200501 1 001"
    assert format_nip("196608011988031001") == "19660801 198803 1 001"


def test_formatting_something_that_is_not_18_digits_raises():
    with pytest.raises(ValueError):
        format_nip("12345")


def test_a_nip_is_masked_to_first_six_and_last_two_digits():
    assert mask_nip(VALID) == "198001**********01"
    assert mask_nip("19800101 200501 1 001") == "198001**********01"


def test_other_text_keeps_at_most_two_characters_at_each_end():
    assert mask_nip("19800101200501100") == "19*************00"
    assert mask_nip("abcd") == "a**d"
    assert mask_nip("abc") == "***"
    assert mask_nip("") == ""


# property


@st.composite
def valid_nips(draw, today=TODAY):
    born = draw(st.dates(min_value=date(1940, 1, 1), max_value=date(today.year - 17, 1, 1)))
    first_tmt = (born.replace(day=1) + timedelta(days=32)).replace(day=1)
    tmt = draw(st.dates(min_value=first_tmt, max_value=today)).replace(day=1)
    gender = draw(st.sampled_from("12"))
    sequence = draw(st.integers(min_value=1, max_value=999))
    return f"{born:%Y%m%d}{tmt:%Y%m}{gender}{sequence:03d}"


@given(valid_nips())
def test_any_valid_nip_round_trips_through_its_printed_form(nip):
    assert check_nip(format_nip(nip), TODAY) == (nip, [])
    assert check_nip(f"'{nip}", TODAY) == (nip, [])
    assert len(mask_nip(nip)) == 18
    assert mask_nip(nip)[:6] == nip[:6]


# check_nips


def mixed_sample() -> list:
    return [
        VALID,
        "19800101 200501 1 001",
        "'198001012005011001",
        "19800101.200501.1.001",
        198001012005011001,
        198001012005011001.0,
        "198001012005011000.0",
        "198001012005011000",
        "1.98001012005011E+17",
        None,
        float("nan"),
        "",
        "19800101200501100",
        "1980010120050110011",
        "19800101200501100A",
        "198002302005011001",
        "198402292005011001",
        "198302292005011001",
        "201001012025011001",
        "198001012026121001",
        "198006011980051001",
        "198001012005013001",
        "198001012027013001",
        "200911272026011001",
    ]


def test_check_nips_gives_the_same_answers_as_check_nip_row_by_row():
    sample = mixed_sample()
    values = pd.Series(sample, index=range(100, 100 + len(sample)), dtype=object)
    nips, problems = check_nips(values, TODAY)
    assert list(nips.index) == list(values.index)
    for raw, nip, row_problems in zip(sample, nips, problems, strict=True):
        assert (nip, row_problems) == check_nip(raw, TODAY), raw


def test_check_nips_works_on_string_and_integer_columns():
    strings = pd.Series([VALID, "198001012005013001"], dtype="str")
    nips, problems = check_nips(strings, TODAY)
    assert nips.tolist() == [VALID, None]
    assert [[p.code for p in row] for row in problems] == [[], ["nip.gender"]]
    integers = pd.Series([198001012005011001, 198001012005012002], dtype="int64")
    assert check_nips(integers, TODAY)[0].tolist() == [VALID, "198001012005012002"]


def test_check_nips_on_an_empty_series_is_empty():
    nips, problems = check_nips(pd.Series([], dtype=object), TODAY)
    assert nips.empty and problems.empty


def test_check_nips_handles_100000_values_quickly():
    sample = mixed_sample()
    valid = [
        f"{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}2005{1 + i % 12:02d}{1 + i % 2}{1 + i % 999:03d}"
        for i in range(99_000)
    ]
    values = pd.Series(valid + sample * (1000 // len(sample) + 1), dtype=object).iloc[:100_000]
    started = time.perf_counter()
    nips, problems = check_nips(values, TODAY)
    elapsed = time.perf_counter() - started
    assert nips.iloc[:99_000].tolist() == valid
    assert elapsed < 2.5  # ~0.7 s here, over 1 s once under a parallel load


# parse_nips: the column form of parse_nip


def _fields_of_parse_nip(raw):
    """What parse_nip says of a stored value, in parse_nips' terms: None when it refuses."""
    try:
        parts = parse_nip(raw)
    except ValueError:
        return None
    return (
        int(parts.birth_date.strftime("%Y%m%d")),
        parts.tmt_cpns.year * 100 + parts.tmt_cpns.month,
        {"L": 1, "P": 2}[parts.gender],
        parts.sequence,
    )


def stored_sample() -> list:
    """Values as a normalised roster stores them: 18 digits, or text that is not a NIP."""
    return [
        VALID,
        "198402292005012999",  # born 29 February of a leap year, a woman
        "198302292005011001",  # 29 February of a common year
        "198013012005011001",  # month 13
        "198001002005011001",  # day 0
        "198001012005001001",  # TMT month 00
        "198001012005131001",  # TMT month 13
        "198001012005010001",  # gender 0
        "198001012005013001",  # gender 3
        "000001012005011001",  # year 0: no such date
        "185001012005011001",  # a real (if old) date: parse_nip splits it
        "19800101200501100",  # 17 digits
        "1980010120050110011",  # 19 digits
        "19800101200501100A",
        "19800101 200501 1 001",  # separators: a stored NIP never has them
        "",
        None,
    ]


def test_parse_nips_agrees_with_parse_nip_on_every_stored_value():
    sample = stored_sample()
    columns = parse_nips(pd.Series(sample, dtype=object))
    for i, raw in enumerate(sample):
        expected = None if raw is None or " " in raw else _fields_of_parse_nip(raw)
        got = (
            (int(columns.birth[i]), int(columns.tmt[i]), int(columns.gender[i]), int(columns.sequence[i]))
            if columns.valid[i]
            else None
        )
        assert got == expected, raw
        assert columns.number[i] == (int(raw) if expected else 0), raw


@given(valid_nips())
def test_parse_nips_splits_any_valid_nip_like_parse_nip(nip):
    columns = parse_nips(pd.Series([nip], dtype=object))
    parts = parse_nip(nip)
    assert columns.valid.tolist() == [True]
    assert int(columns.birth[0]) == int(parts.birth_date.strftime("%Y%m%d"))
    assert int(columns.tmt[0]) == parts.tmt_cpns.year * 100 + parts.tmt_cpns.month
    assert int(columns.sequence[0]) == parts.sequence


def test_birthdays_fall_on_the_same_day_and_29_february_on_1_march():
    born = pd.Series(["19670102", "19680229"]).astype("int64").to_numpy()
    days = birthdays(born, 58).astype("datetime64[D]").astype(object).tolist()
    assert days == [date(2025, 1, 2), date(2026, 3, 1)]
