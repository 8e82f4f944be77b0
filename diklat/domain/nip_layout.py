"""The NIP's layout (Perka BKN 22/2007), one home for every reader: a single NIP, or a column of a million.

18 digits = birth date YYYYMMDD, TMT CPNS YYYYMM, gender digit (1 male, 2 female), 3-digit
sequence. ``diklat.domain.nip`` reads one value (``parse_nip``, ``check_nip``, ``check_nips``);
planning reads whole columns here (``parse_nips``), with the same positions and validity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy
    import pandas

DIGITS = 18
# Field -> digit positions [start, end). As an integer, a field is number // 10**(18 - end) % 10**(end - start).
FIELDS = {"birth": (0, 8), "tmt": (8, 14), "gender": (14, 15), "sequence": (15, 18)}  # YYYYMMDD, YYYYMM
GENDERS = {1: "L", 2: "P"}


def field(digits: str, name: str) -> int:
    """One field of an 18-digit NIP as an integer (see ``FIELDS``)."""
    start, end = FIELDS[name]
    return int(digits[start:end])


@dataclass(frozen=True)
class NipColumns:
    """Many NIPs split into their fields at once: the column form of ``parse_nip``.

    ``valid`` marks exactly the values ``parse_nip`` accepts (18 ASCII digits, a real birth date, a
    real TMT month, gender 1 or 2); the fields of the others are 0. ``birth`` is YYYYMMDD, ``tmt`` YYYYMM.
    """

    valid: numpy.ndarray
    number: numpy.ndarray
    birth: numpy.ndarray
    tmt: numpy.ndarray
    gender: numpy.ndarray
    sequence: numpy.ndarray

    @classmethod
    def of(cls, shaped: numpy.ndarray, number: numpy.ndarray) -> NipColumns:
        """The fields of ``number`` where ``shaped`` (18 digits), checked as ``parse_nip`` checks them."""
        import numpy as np

        number = np.where(shaped, number, 0)
        field = {name: number // 10 ** (DIGITS - end) % 10 ** (end - start) for name, (start, end) in FIELDS.items()}
        birth, tmt, gender = field["birth"], field["tmt"], field["gender"]
        valid = shaped & _real_dates(birth) & _real_dates(tmt * 100 + 1) & np.isin(gender, list(GENDERS))
        keep = {name: np.where(valid, values, 0) for name, values in field.items()}
        return cls(valid, np.where(valid, number, 0), **keep)


def parse_nips(values: pandas.Series) -> NipColumns:
    """``parse_nip`` over a column of NIPs as stored (normalised text: separators make a value invalid)."""
    import numpy as np

    # One more character than a NIP: longer text keeps a character there and fails, like shorter text.
    text = np.asarray(values.to_numpy(dtype=object), dtype=f"U{DIGITS + 1}")
    chars = text.view(np.uint32).reshape(len(text), DIGITS + 1)
    digits = chars[:, :DIGITS] - np.uint32(ord("0"))  # below "0" wraps around to a large number
    shaped = (chars[:, DIGITS] == 0) & (digits < 10).all(axis=1)
    number = np.zeros(len(text), dtype=np.int64)
    for position in range(DIGITS):  # 18 column operations beat an integer matrix product
        number = number * 10 + digits[:, position]  # wraps on invalid rows: NipColumns.of zeroes them
    return NipColumns.of(shaped, number)


def birthdays(birth: numpy.ndarray, age: int) -> numpy.ndarray:
    """Day (days since 1970) each person born on ``birth`` (YYYYMMDD) turns ``age``; 29 Feb turns it on 1 March."""
    year, month, day = birth // 10000 + age, birth // 100 % 100, birth % 100
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    return (months.astype("datetime64[D]").astype("int64") + day - 1).astype("int64")


def _real_dates(ymd: numpy.ndarray) -> numpy.ndarray:
    """Which YYYYMMDD integers are real dates (years 1..9999, like ``datetime.date``)."""
    import numpy as np

    year, month, day = ymd // 10000, ymd // 100 % 100, ymd % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    month_days = month_days + ((month == 2) & leap)
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
