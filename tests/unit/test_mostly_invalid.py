"""A file whose rows are mostly unusable is refused whole; the share and the commonest reason say why."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from diklat.domain.gated import Gated, mostly_invalid
from diklat.domain.problems import Problem


def gated(read: int, bad: int) -> Gated:
    problems = [
        [Problem("score.out_of_range", "score")] if i % 3 else [Problem("nip.length", "nip")] for i in range(bad)
    ]
    quarantined = pd.DataFrame({"row_number": range(2, bad + 2), "problems": problems})
    return Gated("scores", pd.DataFrame(index=range(read - bad)), quarantined, read)


@pytest.mark.parametrize(
    ("read", "bad", "refused"),
    [(40, 20, False), (40, 21, True), (19, 19, False), (20, 11, True), (20, 10, False), (1000, 501, True)],
)
def test_more_than_the_share_of_at_least_the_minimum_rows_is_refused(read: int, bad: int, refused: bool) -> None:
    assert (mostly_invalid(gated(read, bad), "f.xlsx", Decimal("0.5"), 20) is not None) is refused


def test_the_refusal_names_the_counts_the_share_and_the_commonest_reason_with_its_first_row() -> None:
    found = mostly_invalid(gated(30, 25), "nilai.xlsx", Decimal("0.5"), 20)
    assert found.problem.params == {"file": "nilai.xlsx", "bad": 25, "read": 30, "percent": Decimal(83), "row": 3}
    assert found.example.code == "score.out_of_range"
