"""Result rows a task returns are not walked by Prefect (issue #17), and still behave as the list they were."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest
from prefect.utilities.collections import visit_collection

from tasks.common import Bulk
from tasks.grading import Graded

pytestmark = pytest.mark.unit

ROWS = [
    {"enrolment_id": i, "status": "lulus", "final_score": Decimal("85.50"), "qualification": "M", "rank": i}
    for i in range(1_000)
]


def visited(value: object) -> int:
    seen: list[object] = []
    visit_collection(value, lambda item: seen.append(item) or item, return_data=False)
    return len(seen)


def test_prefect_visits_a_cohorts_graded_summary_not_each_of_its_rows() -> None:
    walked = visited({1: Graded({"lulus": 1_000}, 0, 0, Bulk(ROWS))})
    assert walked < 20  # the dict, its key, the Graded and its fields
    assert visited({1: Graded({"lulus": 1_000}, 0, 0, ROWS)}) > 6_000  # a list: every row and value


def test_bulk_rows_read_compare_and_pickle_as_a_list() -> None:
    rows = Bulk(ROWS)
    assert len(rows) == 1_000 and rows[3] == ROWS[3] and rows[-1]["rank"] == 999
    assert rows[:2] == ROWS[:2] and list(rows) == ROWS
    assert rows == ROWS and rows == Bulk(ROWS) and rows != ROWS[:10]
    assert [r["enrolment_id"] for r in rows if r["rank"] < 3] == [0, 1, 2]
    assert pickle.loads(pickle.dumps(rows)) == ROWS
    assert Graded({}, 0, 0).rows == []
