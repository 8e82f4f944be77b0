"""Normalising a roster frame: one pass over whole columns, problems collected per row.

Input is the reader's all-text frame (canonical column names, ``row_number``); output adds the
normalised values and a ``problems`` column (a list of Problem per row) that the gate combines with
its own expectations. Values an operator typed (names, positions, units) are kept exactly.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from diklat.domain.golongan import normalize_golongan
from diklat.domain.nip import check_nips
from diklat.domain.problems import Problem

EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
PHONE_DIGITS = (9, 14)


def normalise_roster(raw: pd.DataFrame, today: date) -> pd.DataFrame:
    """Canonical values for every roster column, plus the problems found while reading them."""
    frame = raw.copy()
    for column in (
        "superior_nip",
        "superior_name",
        "superior_email",
        "email",
        "phone",
        "position",
        "unit",
        "quarantine_id",
    ):
        if column not in frame:
            frame[column] = None
    problems = [[] for _ in range(len(frame))]

    frame["nip"], nip_problems = check_nips(frame["nip"], today)
    _merge(problems, nip_problems)

    superior = frame["superior_nip"]
    given = superior.notna()
    sup_nips, sup_problems = check_nips(superior[given], today)
    frame["superior_nip"] = pd.Series(None, index=frame.index, dtype=object)
    frame.loc[given, "superior_nip"] = sup_nips
    # A roster without NIP ATASAN must give None, not NaN (NaN is truthy and would become a mentor).
    frame["superior_nip"] = frame["superior_nip"].astype(object).where(frame["superior_nip"].notna(), None)
    _merge(problems, _recolumn(sup_problems, "superior_nip").reindex(frame.index))
    self_superior = frame["superior_nip"].notna() & (frame["superior_nip"] == frame["nip"])
    for pos in _positions(self_superior):
        problems[pos].append(Problem("superior.self", "superior_nip"))

    # Few distinct ranks occur, so parse each distinct text once.
    distinct = {v: normalize_golongan(v) for v in frame["golongan"].dropna().unique()}
    golongan = frame["golongan"].map(distinct)
    for pos in _positions(frame["golongan"].notna() & golongan.isna()):
        problems[pos].append(Problem("golongan.unknown", "golongan", {"value": frame["golongan"].iloc[pos]}))
    frame["golongan_raw"] = frame["golongan"]
    frame["golongan"] = golongan.astype(object).where(golongan.notna(), None)

    email = frame["email"].str.strip()
    bad_email = email.notna() & ~email.str.fullmatch(EMAIL).fillna(False).astype(bool)
    for pos in _positions(bad_email):
        problems[pos].append(Problem("email.invalid", "email", {"value": email.iloc[pos]}))
    frame["email"] = email.str.lower()

    # The mentor's own address: without it nobody could tell the mentor that their participant is at risk.
    sup_email = frame["superior_email"].str.strip()
    bad_sup = sup_email.notna() & ~sup_email.str.fullmatch(EMAIL).fillna(False).astype(bool)
    for pos in _positions(bad_sup):
        problems[pos].append(Problem("email.invalid", "superior_email", {"value": sup_email.iloc[pos]}))
    frame["superior_email"] = sup_email.str.lower()
    frame["superior_name"] = frame["superior_name"].str.strip()

    frame["phone"], bad_phone = _phones(frame["phone"])
    # 8123456789: a spreadsheet stored the number as a number and dropped its leading 0.
    lost_zero = (
        frame["phone"].isna() & raw["phone"].str.fullmatch(r"[1-9][0-9]{8,12}").fillna(False).astype(bool)
        if "phone" in raw
        else bad_phone & False
    )
    for pos in _positions(bad_phone):
        code = "phone.leading_zero" if lost_zero.iloc[pos] else "phone.invalid"
        problems[pos].append(Problem(code, "phone", {"value": raw["phone"].iloc[pos]}))

    # In a batch of several cohorts' files, a repeat is a repeat within the same file.
    keys = frame["nip"] if "cohort_key" not in frame else frame["cohort_key"].astype(str) + ":" + frame["nip"]
    frame["duplicate_of_row"] = first_row_of_duplicates(keys, frame["row_number"])
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def first_row_of_duplicates(keys: pd.Series, row_numbers: pd.Series) -> pd.Series:
    """For each repeat of a key, the row number of its first occurrence; None elsewhere.

    Keys are hashed once (factorize); only the few keys that repeat are grouped: grouping all 800,000
    keys of a national score sheet to find a handful of repeats took 1.5 s (issue #17).
    """
    codes = pd.factorize(keys, use_na_sentinel=True)[0]  # a missing key is -1, never a repeat
    repeat = pd.Series(codes).duplicated(keep="first").to_numpy() & (codes >= 0)
    out = pd.Series([None] * len(keys), index=keys.index, dtype=object)
    if repeat.any():
        involved = np.isin(codes, codes[repeat])
        first = pd.Series(row_numbers.to_numpy()[involved]).groupby(codes[involved]).min()
        out.iloc[np.flatnonzero(repeat)] = [int(n) for n in first.reindex(codes[repeat]).tolist()]
    return out


def _phones(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Indonesian phone numbers as digits starting with 0 (`+62 812-…` becomes `0812…`)."""
    digits = values.str.replace(r"[\s\-().]", "", regex=True).str.replace(r"^\+?62", "0", regex=True)
    lo, hi = PHONE_DIGITS
    ok = digits.str.fullmatch(rf"0[0-9]{{{lo - 1},{hi - 1}}}").fillna(False).astype(bool)
    bad = values.notna() & ~ok
    return digits.where(ok, None), bad


def _merge(problems: list[list[Problem]], extra: pd.Series) -> None:
    for pos, items in enumerate(extra.tolist()):
        if isinstance(items, list) and items:
            problems[pos].extend(items)


def _recolumn(series: pd.Series, column: str) -> pd.Series:
    return series.map(lambda items: [Problem(p.code, column, p.params) for p in items])


def _positions(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask.to_numpy().nonzero()[0]]
