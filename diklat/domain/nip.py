"""NIP (Nomor Induk Pegawai): normalising, checking, parsing and printing.

Perka BKN 22/2007: 18 digits = birth date YYYYMMDD, TMT CPNS YYYYMM, gender digit (1 male,
2 female), 3-digit sequence. Printed as ``19800101 200501 1 001``.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from diklat.domain.nip_layout import DIGITS, FIELDS, GENDERS, NipColumns, field
from diklat.domain.problems import Problem
from diklat.domain.values import is_missing

if TYPE_CHECKING:
    import pandas

COLUMN = "nip"
MIN_BIRTH_YEAR = 1940
MIN_AGE = 17

# Separators operators type or spreadsheets add: any whitespace (NBSP, narrow NBSP included),
# zero-width space, BOM, dots and every kind of dash. Removed anywhere in the value.
_SEPARATORS = re.compile(r"[\s\u200b\ufeff.\-\u2010\u2011\u2012\u2013\u2014]+")
# Quotes only at the ends: a leading apostrophe is Excel's "store as text" marker.
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"
# `1.98001012005011E+17`, `1,98001E+17`: Excel showed a number in scientific notation.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+")
# `198001012005011000.0`: the value went through a float on its way here.
_FLOAT_TEXT = re.compile(r"\d+[.,]0+")
# Floats represent every integer exactly only up to 2**53 (16 digits); an 18-digit NIP never fits.
_FLOAT_EXACT_LIMIT = 2**53
_VALID_SHAPE = r"[0-9]{18}"  # ASCII only: \d would also accept Arabic-Indic digits
# Excel keeps 15 significant digits, so a NIP stored as a number ends in "000"; real sequences start at 001.
_LOST_SEQUENCE = "000"


@dataclass(frozen=True)
class NipParts:
    """The fields encoded in a NIP (Perka BKN 22/2007)."""

    birth_date: date
    tmt_cpns: date
    gender: Literal["L", "P"]
    sequence: int


def _shown_value(raw: object, normalized: str | None) -> str:
    """The raw value as text for messages; masked when it is a full 18-digit NIP (personal data)."""
    if normalized is not None and len(normalized) == 18 and normalized.isdigit():
        return mask_nip(normalized)
    # Blank text is shown as typed; only None and NaN-likes show as nothing.
    return "" if is_missing(raw) and not isinstance(raw, str) else str(raw)


def _clean(text: str) -> str:
    """The two substitutions of normalize_nip; check_nips applies the same patterns vectorised."""
    return _SEPARATORS.sub("", text).strip(_QUOTES)


def normalize_nip(raw: object) -> str | None:
    """Strip separators, quotes and Excel's text apostrophe from a NIP; None when empty (no validation)."""
    if is_missing(raw):
        return None
    if isinstance(raw, numbers.Integral) and not isinstance(raw, bool):
        return str(int(raw))
    if isinstance(raw, numbers.Real) and not isinstance(raw, bool) and float(raw).is_integer():
        return str(int(raw))  # keeps "digits" even when the float already lost some; check_nip tells
    return _clean(str(raw)) or None


def mask_nip(nip: str) -> str:
    """Hide personal data in logs/messages: NIP keeps first 6 and last 2 digits, other text at most 2+2."""
    digits = normalize_nip(nip) or ""
    if len(digits) == 18 and digits.isdigit():
        return digits[:6] + "*" * 10 + digits[-2:]
    text = str(nip)
    keep = min(2, len(text) // 4)  # never reveal more than half of a short value
    return text[:keep] + "*" * (len(text) - 2 * keep) + (text[-keep:] if keep else "")


def _format_problem(raw: object, normalized: str | None) -> Problem | None:
    """The first format-level problem (Perka BKN 22/2007: exactly 18 digits), None when well-shaped."""

    def problem(code: str, **params: object) -> Problem:
        """A NIP problem carrying the value as the operator typed it (masked when 18 digits)."""
        return Problem(code, COLUMN, {"value": _shown_value(raw, normalized), **params})

    if normalized is None:
        return problem("nip.missing")
    if isinstance(raw, numbers.Real) and not isinstance(raw, numbers.Integral):
        if not float(raw).is_integer():
            return problem("nip.not_digits")
        if abs(raw) >= _FLOAT_EXACT_LIMIT:
            return problem("nip.float_digits_lost")
    if isinstance(raw, str):
        trimmed = raw.strip().strip(_QUOTES)
        if _SCIENTIFIC.fullmatch(trimmed):
            return problem("nip.scientific")
        if _FLOAT_TEXT.fullmatch(trimmed):
            return problem("nip.float_digits_lost")
    if not normalized.isdigit() or not normalized.isascii():
        return problem("nip.not_digits")
    if len(normalized) != 18:
        return problem("nip.length", length=len(normalized))
    if normalized.endswith(_LOST_SEQUENCE):
        return problem("nip.float_digits_lost")
    return None


def _ymd_date(ymd: int) -> date:
    """YYYYMMDD as a date; ValueError when it is not a real one."""
    return date(ymd // 10000, ymd // 100 % 100, ymd % 100)


def _birth_date_ok(nip: str, today: date) -> date | None:
    """Birth date: a real date, born 1940 or later, at least 17 years old at ``today``."""
    birth = field(nip, "birth")
    try:
        born = _ymd_date(birth)
    except ValueError:
        return None
    # YYYYMMDD integers compare like dates; +170000 is "17 years later" (29 Feb turns 17 on 1 March).
    if born.year < MIN_BIRTH_YEAR or birth + MIN_AGE * 10000 > _ymd(today):
        return None
    return born


def _ymd(d: date) -> int:
    """A date as the integer YYYYMMDD, the layout of the NIP's first 8 digits."""
    return d.year * 10000 + d.month * 100 + d.day


def _tmt_ok(nip: str, born: date | None, today: date) -> bool:
    """TMT CPNS: a real month, after the birth date (or 1940 when unknown), not in the future."""
    year, month = divmod(field(nip, "tmt"), 100)
    if not 1 <= month <= 12 or year < MIN_BIRTH_YEAR:
        return False
    tmt = date(year, month, 1)
    return (born is None or tmt > born) and tmt <= today


def check_nip(raw: object, today: date) -> tuple[str | None, list[Problem]]:
    """Validate a NIP against Perka BKN 22/2007; returns (18 digits, []) or (None, problems)."""
    normalized = normalize_nip(raw)
    format_problem = _format_problem(raw, normalized)
    if format_problem is not None:
        return None, [format_problem]
    assert normalized is not None  # _format_problem reports a missing value
    params = {"value": _shown_value(raw, normalized)}
    problems = []
    born = _birth_date_ok(normalized, today)
    if born is None:
        problems.append(Problem("nip.birth_date", COLUMN, dict(params)))
    if not _tmt_ok(normalized, born, today):
        problems.append(Problem("nip.tmt", COLUMN, dict(params)))
    if field(normalized, "gender") not in GENDERS:
        problems.append(Problem("nip.gender", COLUMN, dict(params)))
    return (None, problems) if problems else (normalized, [])


def parse_nip(nip: str) -> NipParts:
    """Split a valid NIP into its Perka BKN 22/2007 fields; ValueError when it cannot be split."""
    digits = normalize_nip(nip) or ""
    if len(digits) != DIGITS or not (digits.isascii() and digits.isdigit()) or field(digits, "gender") not in GENDERS:
        raise ValueError(f"not a NIP: {mask_nip(str(nip))}")
    return NipParts(
        birth_date=_ymd_date(field(digits, "birth")),
        tmt_cpns=_ymd_date(field(digits, "tmt") * 100 + 1),
        gender="L" if field(digits, "gender") == 1 else "P",
        sequence=field(digits, "sequence"),
    )


def format_nip(nip: str) -> str:
    """Printed form `19800101 200501 1 001` (Perka BKN 22/2007); ValueError unless 18 digits."""
    digits = normalize_nip(nip) or ""
    if len(digits) != 18 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not a NIP: {mask_nip(str(nip))}")
    return " ".join(digits[start:end] for start, end in FIELDS.values())


def check_nips(values: pandas.Series, today: date) -> tuple[pandas.Series, pandas.Series]:
    """check_nip over a Series: clean values pass vectorised rules, only the rest go row by row."""
    import numpy as np
    import pandas as pd

    text = values.astype(str)
    cleaned = text.str.replace(_SEPARATORS.pattern, "", regex=True).str.strip(_QUOTES)
    # Text with a dot or comma may be float residue (`…000.0`): it takes the careful row-by-row path.
    fast = cleaned.str.fullmatch(_VALID_SHAPE).fillna(False) & ~text.str.contains(r"[.,]").fillna(True)
    fast = np.array(fast, dtype=bool)  # a writable copy: rows failing the rules below drop out

    fields = NipColumns.of(np.ones(int(fast.sum()), dtype=bool), cleaned[fast].astype("int64").to_numpy())
    born, tmt = fields.birth, fields.tmt
    ok = (
        fields.valid  # the layout parse_nip reads: real dates, gender 1 or 2
        & (born // 10000 >= MIN_BIRTH_YEAR)
        & (born + MIN_AGE * 10000 <= _ymd(today))
        & (tmt * 100 + 1 > born)  # the first of the TMT month comes after the birth date
        & (tmt <= today.year * 100 + today.month)
        & (fields.sequence != 0)  # sequence 000: float residue, see _LOST_SEQUENCE
    )
    fast[np.flatnonzero(fast)[~ok]] = False

    nips = np.full(len(values), None, dtype=object)
    nips[fast] = cleaned.to_numpy(dtype=object)[fast]
    problems: list[list[Problem]] = [[] for _ in range(len(values))]
    raw = values.to_numpy(dtype=object)
    for position in np.flatnonzero(~fast):
        nips[position], problems[position] = check_nip(raw[position], today)
    return pd.Series(nips, index=values.index, dtype=object), pd.Series(problems, index=values.index)
