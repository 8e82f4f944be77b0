"""Dates as Indonesian operators write them: day first, Indonesian or English month names, Excel serials."""

from __future__ import annotations

import numbers
import re
from datetime import date, datetime, timedelta

from diklat.domain.problems import Problem
from diklat.domain.values import is_missing

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

# Every spelling seen in operators' files, lower case, mapped to the month number.
_MONTHS: dict[str, int] = {
    **{name.casefold(): number for number, name in enumerate(BULAN, start=1)},
    **{name: number for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july",
         "august", "september", "october", "november", "december"), start=1)},
    "jan": 1, "feb": 2, "pebruari": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "agu": 8, "agt": 8, "agus": 8, "aug": 8, "sep": 9, "sept": 9,
    "okt": 10, "oct": 10, "nov": 11, "nopember": 11, "des": 12, "dec": 12,
}  # fmt: skip
# Weekday prefixes (`Kamis, 14 Juli 2022`), Monday = 0 as in date.weekday().
_WEEKDAYS: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip

# Excel's 1900 date system counts days from 1899-12-30 (it wrongly keeps 29 Feb 1900, so serial 61+
# lines up with this epoch). 20000..80000 is 1954..2119: any other number is not a date here.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIALS = (20000, 80000)
# Four-digit years between these only: `14/07/0222` and `14/07/20222` are typos, not dates.
_YEARS = (1900, 2099)

# Exports append a time (`2022-07-14 00:00:00`); text is case-folded first, hence `t` for ISO's `T`.
_TIME = r"(?:[ t]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})" + _TIME)
_TEXT_MONTH = re.compile(r"(?:([a-z'\u2019]+),?\s+)?(\d{1,2})[\s\-]+([a-z]+)\.?[\s\-]+(\d{4})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")


def _from_serial(serial: float) -> date:
    """Excel 1900 date system serial number to a date (the fraction is the time of day)."""
    if not _EXCEL_SERIALS[0] <= serial <= _EXCEL_SERIALS[1]:
        raise ValueError(f"not an Excel date serial: {serial}")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _make(year: int, month: int, day: int) -> date:
    """A real calendar date with a plausible four-digit year, else ValueError."""
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise ValueError(f"year out of range: {year}")
    return date(year, month, day)


def _from_text(text: str) -> date:
    """Day-first text forms; ISO `YYYY-MM-DD` is the only year-first one (never US month-first)."""
    text = " ".join(text.casefold().split())
    if _SERIAL_TEXT.fullmatch(text):
        return _from_serial(float(text))
    if match := _ISO.fullmatch(text):
        return _make(int(match[1]), int(match[3]), int(match[4]))
    if match := _DAY_FIRST.fullmatch(text):
        return _make(int(match[4]), int(match[3]), int(match[1]))
    if (match := _TEXT_MONTH.fullmatch(text)) and match[3] in _MONTHS:
        result = _make(int(match[4]), _MONTHS[match[3]], int(match[2]))
        weekday = match[1]
        # A weekday that contradicts the date means one of them is a typo: refuse rather than guess.
        if weekday is not None and _WEEKDAYS.get(weekday.replace("\u2019", "'")) != result.weekday():
            raise ValueError(f"weekday {weekday!r} does not match {result.isoformat()}")
        return result
    raise ValueError(f"unrecognised date: {text!r}")


def parse_date(raw: object) -> date | None:
    """Day-first dates, Indonesian/English months, Excel 1900 serials; None if empty, else ValueError."""
    if is_missing(raw):
        return None
    if isinstance(raw, datetime):  # pandas.Timestamp is a datetime
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise ValueError(f"not a date: {raw!r}")
    if isinstance(raw, numbers.Real):
        return _from_serial(float(raw))
    return _from_text(str(raw))


def check_date(raw: object, column: str) -> tuple[date | None, list[Problem]]:
    """parse_date as data: (date, []) or (None, [date.missing | date.invalid]) for ``column``."""
    try:
        parsed = parse_date(raw)
    except (ValueError, OverflowError):
        return None, [Problem("date.invalid", column, {"value": str(raw)})]
    if parsed is None:
        return None, [Problem("date.missing", column, {})]
    return parsed, []


def format_date_id(d: date) -> str:
    """The long form of Indonesian letters, `14 Juli 2022` (no leading zero, month name in full)."""
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"
