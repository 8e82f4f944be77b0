"""What the operator reads after a whole intake: one row per cohort opened, one headline."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from diklat.domain.gated import BatchCounts
from diklat.report.opening import intake_markdown, intake_rows

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english")]


@dataclass
class Opened:
    label: str
    counts: BatchCounts
    participants: int
    without_coach: int


@dataclass
class Held:
    cohort: int
    row_number: int
    reason: str


def opened(label: str, read: int, quarantined: int) -> Opened:
    counts = BatchCounts(1, "r.csv", read, read - quarantined, quarantined, 0, 0)
    return Opened(label, counts, read - quarantined, 2)


OPENED = [opened("Jambi / Angkatan 1", 32, 2), opened("Jambi / Angkatan 2", 30, 0)]


def test_each_opened_cohort_is_one_row_of_counts() -> None:
    assert intake_rows(OPENED)[0] == {
        "Cohort": "Jambi / Angkatan 1",
        "Rows read": 32,
        "Accepted": 30,
        "Quarantined": 2,
        "Participants": 30,
        "Without coach": 2,
    }
    assert len(intake_rows(OPENED)) == 2 and intake_rows([]) == []


def test_the_headline_adds_up_the_intake_and_lists_held_cohorts_and_files_to_fix() -> None:
    text = intake_markdown("Jambi", OPENED, [Held(3, 4, "The file was not found.")], ["out/roster-rejected.xlsx"])
    assert text.splitlines() == [
        "### Jambi",
        "",
        "2 cohorts opened; rows read 62 = accepted 60 + quarantined 2.",
        "",
        "#### Cohorts held back",
        "",
        "- Cohort 3 (row 4): The file was not found.",
        "",
        "Rejected rows with their reasons:",
        "",
        "- `out/roster-rejected.xlsx`",
    ]


def test_a_clean_intake_is_only_its_headline() -> None:
    assert intake_markdown("Jambi", OPENED[1:], [], []).splitlines() == [
        "### Jambi",
        "",
        "1 cohorts opened; rows read 30 = accepted 30 + quarantined 0.",
    ]
