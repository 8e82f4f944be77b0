"""A participant's standing at the assessment date, from the progress statuses (PKP.md graduation rules)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from diklat.domain.grading import Standing
from diklat.domain.standing import standings

pytestmark = pytest.mark.unit

# milestone id -> (code, kind, required)
MILESTONES = {
    1: ("kehadiran", "attendance", True),
    2: ("rancangan", "deliverable", True),
    3: ("seminar_akhir", "seminar", True),
    4: ("coaching_3", "coaching", True),
    5: ("laporan_opsional", "deliverable", False),
    6: ("penilaian", "assessment", True),
}


def milestones() -> pd.DataFrame:
    return pd.DataFrame(
        [(i, code, kind, required) for i, (code, kind, required) in MILESTONES.items()],
        columns=["milestone_id", "code", "milestone_kind", "required"],
    )


def statuses(rows: list[tuple[int, int, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["enrolment_id", "milestone_id", "status", "reason"])


def people(*rows: tuple[int, str, date | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["enrolment_id", "status", "deferral_cleared_on"])


def figures(unreachable: dict[int, bool]) -> pd.DataFrame:
    return pd.DataFrame({"enrolment_id": list(unreachable), "unreachable": list(unreachable.values())})


def clean(**changes: object) -> Standing:
    base = dict(
        withdrawn=False,
        attendance_met=True,
        missing_components=(),
        missed_required=(),
        revisions_owed=(),
        deferral_cleared=False,
    )
    return Standing(**{**base, **changes})  # type: ignore[arg-type]


def test_everything_met_is_a_clean_standing() -> None:
    got = standings(
        statuses([(7, 2, "met", None), (7, 3, "met", None)]),
        milestones(),
        figures({7: False}),
        people((7, "active", None)),
    )
    assert got == {7: clean()}


def test_a_missed_required_deliverable_counts_but_attendance_assessment_and_optional_ones_do_not() -> None:
    got = standings(
        statuses(
            [
                (7, 1, "missed", "attendance.below_minimum"),
                (7, 2, "missed", "deliverable.missing"),
                (7, 5, "missed", "deliverable.missing"),
                (7, 6, "missed", None),
            ]
        ),
        milestones(),
        figures({7: False}),
        people((7, "active", None)),
    )
    assert got[7] == clean(missed_required=("rancangan",))


def test_an_overdue_revision_or_a_pending_seminar_is_owed_but_a_pending_coaching_is_not() -> None:
    got = standings(
        statuses(
            [
                (7, 2, "missed", "deliverable.revision_overdue"),
                (7, 3, "pending", None),
                (7, 4, "pending", None),
                (8, 4, "missed", "coaching.gap"),
            ]
        ),
        milestones(),
        figures({7: False, 8: False}),
        people((7, "active", None), (8, "active", None)),
    )
    assert got[7] == clean(revisions_owed=("rancangan", "seminar_akhir"))
    assert got[8] == clean(missed_required=("coaching_3",))


def test_withdrawal_unreachable_attendance_and_a_cleared_deferral_are_read_from_the_participant() -> None:
    got = standings(
        statuses([(7, 3, "pending", None)]),
        milestones(),
        figures({7: False, 8: True}),  # 9 has no figures (withdrawn before any session): attendance not lost
        people((7, "active", date(2022, 11, 20)), (8, "active", None), (9, "withdrawn", None)),
    )
    assert got == {
        7: clean(revisions_owed=("seminar_akhir",), deferral_cleared=True),
        8: clean(attendance_met=False),
        9: clean(withdrawn=True),
    }


def test_a_missing_clearance_date_read_as_nat_is_not_a_clearance() -> None:
    frame = people((7, "active", None))
    frame["deferral_cleared_on"] = pd.to_datetime(frame["deferral_cleared_on"])
    got = standings(statuses([]), milestones(), figures({}), frame)
    assert got[7].deferral_cleared is False
