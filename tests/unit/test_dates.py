from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from diklat.domain.dates import BULAN, check_date, format_date_id, parse_date
from diklat.domain.problems import Problem

pytestmark = pytest.mark.unit

JULY_14 = date(2022, 7, 14)


@pytest.mark.parametrize(
    "raw",
    [
        JULY_14,
        datetime(2022, 7, 14, 8, 30),
        pd.Timestamp("2022-07-14 13:00"),
        np.datetime64("2022-07-14"),
        44756,
        44756.75,
        np.int64(44756),
        "44756",
    ],
)
def test_date_objects_and_excel_serials_are_accepted(raw):
    assert parse_date(raw) == JULY_14


@pytest.mark.parametrize(
    "raw",
    [
        "14/07/2022",
        "14-07-2022",
        "14.07.2022",
        "14/7/2022",
        "2022-07-14",
        "2022-07-14T00:00:00",
        "14/07/2022 00:00:00",
        " 14/07/2022 ",
    ],
)
def test_numeric_text_is_read_day_first_or_iso(raw):
    assert parse_date(raw) == JULY_14


def test_numeric_dates_are_never_read_month_first():
    assert parse_date("03/04/2022") == date(2022, 4, 3)
    with pytest.raises(ValueError):
        parse_date("07/14/2022")


@pytest.mark.parametrize(
    "raw",
    [
        "14 Juli 2022",
        "14 Jul 2022",
        "14 juli 2022",
        "14 JULI 2022",
        "14 Jul. 2022",
        "14-Jul-2022",
        "14\u00a0Juli\u00a02022",
        "Kamis, 14 Juli 2022",
        "kamis 14 juli 2022",
        "Thursday, 14 July 2022",
        "14 July 2022",
    ],
)
def test_month_names_and_a_weekday_prefix_are_understood(raw):
    assert parse_date(raw) == JULY_14


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Jan", 1), ("Januari", 1), ("January", 1), ("Feb", 2), ("Februari", 2), ("Pebruari", 2),
        ("Mar", 3), ("Maret", 3), ("March", 3), ("Apr", 4), ("April", 4), ("Mei", 5), ("May", 5),
        ("Jun", 6), ("Juni", 6), ("June", 6), ("Jul", 7), ("Juli", 7), ("Agu", 8), ("Agt", 8),
        ("Agus", 8), ("Agustus", 8), ("Aug", 8), ("August", 8), ("Sep", 9), ("Sept", 9),
        ("September", 9), ("Okt", 10), ("Oktober", 10), ("Oct", 10), ("Nov", 11), ("November", 11),
        ("Nopember", 11), ("Des", 12), ("Desember", 12), ("Dec", 12), ("December", 12),
    ],
)  # fmt: skip
def test_every_indonesian_and_english_month_spelling_is_known(text, month):
    assert parse_date(f"1 {text} 2023") == date(2023, month, 1)


def test_29_february_is_accepted_only_in_leap_years():
    assert parse_date("29/02/2024") == date(2024, 2, 29)
    with pytest.raises(ValueError):
        parse_date("29/02/2023")


@pytest.mark.parametrize("raw", [None, "", "   ", float("nan"), pd.NaT, pd.NA])
def test_empty_values_parse_to_none(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "kemarin",
        "14/07/22",  # two-digit year: the century would be a guess
        "32/01/2022",
        "14/13/2022",
        "14 Julio 2022",
        "14/07/0222",
        "Jumat, 14 Juli 2022",  # 14 July 2022 was a Thursday
        "Besok, 14 Juli 2022",
        "14/07-2022",
        12,
        100000,
        True,
    ],
)
def test_non_empty_values_that_are_not_dates_raise(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_check_date_returns_the_date_without_problems():
    assert check_date("Kamis, 14 Juli 2022", "tanggal_lahir") == (JULY_14, [])


def test_check_date_reports_a_missing_date_for_its_column():
    assert check_date(None, "tanggal_lahir") == (None, [Problem("date.missing", "tanggal_lahir", {})])


def test_check_date_reports_an_invalid_date_with_its_value():
    assert check_date("31/02/2022", "tanggal_mulai") == (
        None,
        [Problem("date.invalid", "tanggal_mulai", {"value": "31/02/2022"})],
    )


def test_dates_are_written_the_indonesian_way():
    assert format_date_id(JULY_14) == "14 Juli 2022"
    assert format_date_id(date(2026, 1, 1)) == "1 Januari 2026"
    assert format_date_id(date(2026, 8, 17)) == "17 Agustus 2026"


def test_every_formatted_month_parses_back():
    for month in range(1, 13):
        day = date(2025, month, 9)
        assert parse_date(format_date_id(day)) == day
    assert len(BULAN) == 12
