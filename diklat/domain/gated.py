"""What a gate hands to persistence: every row read, either accepted or quarantined with its problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from diklat.domain.problems import Problem


@dataclass(frozen=True)
class Gated:
    """A frame that passed the gate. Persistence accepts nothing else, so the gate cannot be skipped."""

    kind: str
    accepted: pd.DataFrame
    quarantined: pd.DataFrame  # row_number, raw (dict), problems (list[Problem]), subject_key
    rows_read: int
    bad_mask: np.ndarray | None = field(default=None, repr=False, compare=False)  # which input rows are quarantined

    def __post_init__(self) -> None:
        if len(self.accepted) + len(self.quarantined) != self.rows_read:
            raise AssertionError("gate lost rows: accepted + quarantined != read")


@dataclass(frozen=True)
class BatchCounts:
    """What happened to one file; read = accepted + quarantined always holds."""

    batch_id: int
    file_name: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    rows_unchanged: int
    rows_resolved: int
    already_processed: bool = False


@dataclass(frozen=True)
class MostlyInvalid:
    """Why a whole file is refused: ``problem`` gives the share, ``example`` the commonest reason."""

    problem: Problem
    example: Problem | None


def mostly_invalid(
    gated: Gated, file_name: str, share: Decimal, min_rows: int, sample: bool = False
) -> MostlyInvalid | None:
    """A file whose rows are mostly unusable is refused whole: it is the wrong file, not a few bad rows.

    Quarantining 9 rows in 10 would leave a cohort half-enrolled, or grade it from the few rows that
    happened to pass; refusing the file keeps everything as it was until the right file comes.
    """
    bad = len(gated.quarantined)
    if gated.rows_read < min_rows or Decimal(bad) <= share * gated.rows_read:
        return None
    reasons = Counter(p.code for found in gated.quarantined["problems"] for p in found)
    commonest = reasons.most_common(1)[0][0] if reasons else None
    row, example = next(
        (
            (int(row), p)
            for row, found in zip(gated.quarantined["row_number"], gated.quarantined["problems"], strict=True)
            for p in found
            if p.code == commonest
        ),
        (0, None),
    )
    percent = (Decimal(100 * bad) / gated.rows_read).quantize(Decimal("1"), ROUND_HALF_UP)
    params = {"file": file_name, "bad": bad, "read": gated.rows_read, "percent": percent, "row": row}
    code = "file.mostly_invalid_start" if sample else "file.mostly_invalid"  # ``gated`` is the file's first rows
    return MostlyInvalid(Problem(code, None, params), example)
