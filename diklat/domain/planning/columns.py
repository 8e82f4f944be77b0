"""Whole-column readers of the roster: each distinct value parsed once, dates and years as integers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd

from diklat.domain.golongan import normalize_golongan
from diklat.domain.values import is_missing
from schemas.golongan import GOLONGAN
from schemas.planning import POSITION_TYPES, TRAINED_VALUES

RANK = {code: i for i, code in enumerate(GOLONGAN)}  # I/a = 0 ... IV/e = 16
# 365.25 days a year = 1461 days per 4 years: years = days * 4 / 1461, exact in integers.
_DAYS_PER_4_YEARS = 1461


def map_unique(values: pd.Series, *funcs: Callable[[object], object]) -> list[np.ndarray]:
    """Each ``func`` applied once per distinct value (rosters repeat a few ranks and types a lot)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    out = []
    for func in funcs:
        mapped = np.empty(len(uniques) + 1, dtype=object)
        mapped[:-1] = [func(u) for u in uniques]
        mapped[-1] = func(None)  # code -1 (missing) indexes the last slot
        out.append(mapped[codes])
    return out


def rank_of(raw: object) -> int:
    """Rank index I/a = 0 … IV/e = 16 of a cell as written, -1 when unrecognised."""
    code = normalize_golongan(raw)
    return -1 if code is None else RANK[code]


def position_type_of(raw: object) -> str | None:
    """``JENIS JABATAN`` as written -> stored type (schemas.planning.POSITION_TYPES); None if unknown."""
    if is_missing(raw):
        return None
    return POSITION_TYPES.get(" ".join(str(raw).casefold().split()))


def trained_flag(raw: object) -> bool | None:
    """``SUDAH PKP``: True/False as given, text through TRAINED_VALUES, None when unknown or empty."""
    if is_missing(raw):
        return None
    if isinstance(raw, bool | np.bool_):
        return bool(raw)
    if isinstance(raw, int | np.integer) and raw in (0, 1):
        return bool(raw)
    return TRAINED_VALUES.get(str(raw).strip().casefold())


def day_numbers(values: pd.Series) -> np.ndarray:
    """Dates (date objects, datetime64 or ISO text) as int days since 1970; missing -> NaT as int min."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        parsed = pd.to_datetime(pd.Series(uniques, dtype=object), errors="coerce")
        days = np.append(parsed.to_numpy("datetime64[D]"), np.datetime64("NaT"))[codes]
    else:
        days = values.to_numpy("datetime64[D]")
    return days.astype(np.int64)


NAT = np.datetime64("NaT").astype(np.int64)


def hundredths_of_years(days: np.ndarray, places: int) -> np.ndarray:
    """days / 365.25 in units of 10**-places years, rounded half up (exact integer arithmetic)."""
    scale = 4 * 10**places
    return (days * scale * 2 + _DAYS_PER_4_YEARS) // (2 * _DAYS_PER_4_YEARS)


def decimals(units: np.ndarray, places: int) -> np.ndarray:
    """Integers in units of 10**-places as Decimal objects, built once per distinct value."""
    distinct, inverse = np.unique(units, return_inverse=True)
    made = np.array([Decimal(int(v)).scaleb(-places) for v in distinct] + [None], dtype=object)
    return made[inverse.reshape(-1)]
