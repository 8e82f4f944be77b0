"""What a gate hands to persistence: every row read, either accepted or quarantined with its problems."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


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
