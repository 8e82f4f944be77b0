"""Why a backlog row stands where it does: the values of the priority keys, as short codes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from diklat.domain.planning.columns import hundredths_of_years
from schemas.golongan import GOLONGAN
from schemas.planning import IN_POST_TYPE


def why_codes(
    priority: Sequence[str],
    in_post: np.ndarray,
    kind: np.ndarray,
    days_in_post: np.ndarray,
    known_tmt: np.ndarray,
    days_to_retirement: np.ndarray,
    rank: np.ndarray,
) -> np.ndarray:
    """One short code string per row: the values of the priority keys, in priority order.

    Each key gives (code per row, label per code); the strings are built once per distinct
    combination of codes, which is far fewer than the rows of a national roster.
    """
    n = len(in_post)
    if not priority or not n:
        return np.full(n, "nip", dtype=object)

    def tenths(values: np.ndarray, label: str, special: dict[int, str]) -> tuple[np.ndarray, list[str]]:
        distinct, inverse = np.unique(values, return_inverse=True)
        labels = [special.get(int(v)) or label.format(f"{v // 10}.{v % 10}") for v in distinct]
        return inverse.reshape(-1), labels

    def kind_part() -> tuple[np.ndarray, list[str]]:
        codes, uniques = pd.factorize(kind)
        return codes, [("in_post" if k == IN_POST_TYPE else f"candidate {k}") for k in uniques]

    parts: dict[str, Callable[[], tuple[np.ndarray, list[str]]]] = {
        "in_post": kind_part,
        "time_in_post": lambda: tenths(
            np.where(in_post, np.where(known_tmt, hundredths_of_years(days_in_post, 1), -1), -2),
            "{} years in post",
            {-1: "TMT unknown", -2: "not in post"},
        ),
        "time_to_retirement": lambda: tenths(hundredths_of_years(days_to_retirement, 1), "{} years to retirement", {}),
        "rank": lambda: (rank, list(GOLONGAN)),
    }
    built = [parts[key]() for key in priority]
    key = np.zeros(n, dtype=np.int64)
    for codes, labels in built:
        key = key * len(labels) + codes
    combos, inverse = np.unique(key, return_inverse=True)
    decoded = []
    rest = combos
    for _, labels in reversed(built):
        rest, code = np.divmod(rest, len(labels))
        decoded.append([labels[c] for c in code.tolist()])
    made = np.array(["; ".join(words) for words in zip(*reversed(decoded), strict=True)], dtype=object)
    return made[inverse.reshape(-1)]
