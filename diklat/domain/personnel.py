"""Normalising an agency's personnel roster for planning: the roster's reading rules, vectorised."""

from __future__ import annotations

from datetime import date

import pandas as pd

from diklat.domain.dates import check_date
from diklat.domain.golongan import normalize_golongan
from diklat.domain.nip import check_nips
from diklat.domain.problems import Problem
from diklat.domain.roster import first_row_of_duplicates


def normalise_personnel(
    raw: pd.DataFrame, today: date, position_types: dict[str, str], trained_values: dict[str, bool]
) -> pd.DataFrame:
    """Canonical NIP, rank, post type, appointment date and trained flag, with problems per row."""
    frame = raw.copy()
    problems: list[list[Problem]] = [[] for _ in range(len(frame))]
    frame["nip"], nip_problems = check_nips(frame["nip"], today)
    for pos, items in enumerate(nip_problems.tolist()):
        problems[pos].extend(items)
    _mapped(frame, "golongan", lambda v: normalize_golongan(v), problems, "golongan.unknown")
    _mapped(
        frame,
        "position_type",
        lambda v: position_types.get(" ".join(str(v).lower().split())),
        problems,
        "value.not_allowed",
        allowed=", ".join(dict.fromkeys(position_types.values())),
    )
    if "trained" in frame:
        _mapped(
            frame,
            "trained",
            lambda v: trained_values.get(str(v).strip().lower()),
            problems,
            "value.not_allowed",
            allowed="ya, tidak",
        )
    else:
        frame["trained"] = None
    dates = {v: check_date(v, "appointed") for v in frame["appointed"].dropna().unique()}
    appointed = []
    for pos, value in enumerate(frame["appointed"].tolist()):
        day, found = dates.get(value, (None, [])) if value is not None else (None, [])
        problems[pos].extend(found)
        appointed.append(day)
    frame["appointed"] = pd.Series(appointed, index=frame.index, dtype=object)
    frame["duplicate_of_row"] = first_row_of_duplicates(frame["nip"], frame["row_number"])
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def _mapped(
    frame: pd.DataFrame,
    column: str,
    fn,
    problems: list[list[Problem]],
    code: str,  # noqa: ANN001
    allowed: str | None = None,
) -> None:
    """Map each distinct text once; a given value that maps to nothing is a problem."""
    distinct = {v: fn(v) for v in frame[column].dropna().unique()}
    mapped = frame[column].map(distinct)
    for pos in (frame[column].notna() & mapped.isna()).to_numpy().nonzero()[0]:
        params = {"value": frame[column].iloc[pos], **({"allowed": allowed} if allowed else {})}
        problems[pos].append(Problem(code, column, params))
    frame[column] = mapped.astype(object).where(mapped.notna(), None)
