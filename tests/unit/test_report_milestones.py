"""What the milestone check shows: per-cohort figures, one cohort's page, the national overview."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from diklat.report.milestones import CohortCheck, at_risk_rows, cohort_checks, cohort_markdown, overview_rows

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english")]

NIP = "198503302003121002"
MASKED = "198503**********02"  # birth year and month kept, the rest hidden


def check(**changes: object) -> CohortCheck:
    base = dict(
        cohort_id=1,
        label="PKP Jambi / Angkatan 1",
        as_of="2022-08-12",
        participants=30,
        withdrawn=1,
        statuses={"met": 50, "missed": 2, "pending": 8},
    )
    return CohortCheck(**{**base, **changes})


RISK = {"nip": MASKED, "reasons": ["guidance.gap"], "text": "no coaching or mentoring for longer than allowed"}


def test_a_cohort_page_shows_its_figures_and_says_when_nobody_is_at_risk() -> None:
    assert cohort_markdown(check()).splitlines() == [
        "### PKP Jambi / Angkatan 1: as of 2022-08-12",
        "",
        "| Participants | Withdrawn | Met | Missed | Pending | Waived |",
        "|---:|---:|---:|---:|---:|---:|",
        "| 30 | 1 | 50 | 2 | 8 | 0 |",
        "",
        "Nobody is at risk.",
    ]


def test_a_cohort_page_lists_who_is_at_risk_and_the_sessions_not_yet_recorded() -> None:
    text = cohort_markdown(
        check(
            at_risk=[{**RISK, "best_pct": 87.5, "attendance_pct": 84.21}, {**RISK, "best_pct": 95.0}],
            unrecorded_sessions=2,
        )
    )
    assert text.splitlines()[6:] == [
        "2 past sessions have no attendance recorded yet.",
        "",
        "#### At risk",
        "",
        "| NIP | Attendance to date | Best attendance reachable | Reasons |",
        "|---|---:|---:|---|",
        f"| {MASKED} | 84.21 % | 87.50 % | no coaching or mentoring for longer than allowed |",
        f"| {MASKED} | – | 95.00 % | no coaching or mentoring for longer than allowed |",  # nothing recorded yet
    ]


def test_the_overview_has_one_row_per_cohort_and_the_at_risk_table_one_per_person() -> None:
    checks = [check(at_risk=[{**RISK, "best_pct": 100.0}]), check(cohort_id=2, label="B", statuses={})]
    assert overview_rows(checks) == [
        {
            "Cohort": "PKP Jambi / Angkatan 1",
            "Participants": 30,
            "Withdrawn": 1,
            "Met": 50,
            "Missed": 2,
            "Pending": 8,
            "At risk": 1,
        },
        {"Cohort": "B", "Participants": 30, "Withdrawn": 1, "Met": 0, "Missed": 0, "Pending": 0, "At risk": 0},
    ]
    assert at_risk_rows(checks) == [{"Cohort": "PKP Jambi / Angkatan 1", "NIP": MASKED, "Reasons": RISK["text"]}]


def test_figures_are_split_by_cohort_with_nips_masked_and_the_unmasked_rows_kept_for_messages() -> None:
    figures = pd.DataFrame(
        {
            "cohort_id": [1, 1, 2],
            "enrolment_id": [10, 11, 20],
            "nip": [NIP, "199001012015031001", "199202022016042002"],
            "reasons": [["attendance.unreachable", "guidance.gap"], [], []],
            "best_pct": [80.0, 100.0, 95.0],
            "attendance_pct": [75.0, 100.0, float("nan")],
        }
    )
    statuses = pd.DataFrame({"enrolment_id": [10, 10, 11, 20], "status": ["missed", "met", "met", "pending"]})
    unrecorded = pd.DataFrame({"cohort_id": [2, 2]})
    (one, risky_one), (two, risky_two), (three, _) = cohort_checks(
        [(1, "A"), (2, "B"), (3, "C")], figures, statuses, unrecorded, {2: 4}, date(2022, 8, 12)
    )
    assert (one.participants, one.withdrawn, one.statuses, one.unrecorded_sessions) == (
        2,
        0,
        {"met": 2, "missed": 1},
        0,
    )
    assert one.at_risk == [
        {
            "nip": MASKED,
            "reasons": ["attendance.unreachable", "guidance.gap"],
            "text": "can no longer reach the attendance minimum; no coaching or mentoring for longer than allowed",
            "best_pct": 80.0,
            "attendance_pct": 75.0,
        }
    ]
    assert list(risky_one["nip"]) == [NIP]
    assert (two.participants, two.withdrawn, two.statuses, two.unrecorded_sessions) == (1, 4, {"pending": 1}, 2)
    assert two.at_risk == [] and risky_two.empty
    assert (three.participants, three.statuses, three.as_of) == (0, {}, "2022-08-12")
