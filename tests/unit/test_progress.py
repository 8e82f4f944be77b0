"""Milestone statuses and at-risk rules (docs/milestone-rules.md), on explicit dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import pytest

from diklat.domain import progress as rules
from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.progress import Progress, ProgressInputs, attendance_cutoffs, attended_totals, with_recorded
from diklat.templates import resolve_template

pytestmark = pytest.mark.unit

TEMPLATE = resolve_template("PKP@2019.1")
START = date(2022, 7, 14)
CAL = build_calendar(TEMPLATE, START, days_off_for(TEMPLATE, START))
WORK = CAL.phase("aktualisasi")
DUE = {m.code: m.due_date for m in CAL.milestones}
MS_ID = {m.code: i for i, m in enumerate(CAL.milestones, start=1)}
STAGES = [m for m in CAL.milestones if m.rule["stage"]]
ALICE, BOB = 1, 2


@dataclass(frozen=True)
class Case:
    """Inputs as the rules take them, and the attendance rows their totals are summed from."""

    inputs: ProgressInputs
    attendance: pd.DataFrame


def check_progress(case: Case, as_of: date) -> Progress:
    """The rules on the case, with attendance totals summed from its rows as the loader sums them."""
    data = case.inputs
    cutoffs = attendance_cutoffs(data.milestones, [1], as_of)
    attended = attended_totals(case.attendance, data.sessions, data.participants, cutoffs)
    return rules.check_progress(replace(data, attended=attended), as_of)


def inputs(attendance=(), guidance=(), deliverables=(), waived=(), people=(ALICE, BOB)) -> Case:  # noqa: ANN001
    sessions = pd.DataFrame(
        [{"cohort_id": 1, "session_id": i, "date": s.date, "jp": s.jp} for i, s in enumerate(CAL.sessions, start=1)]
    )
    rows = pd.DataFrame(list(attendance), columns=["enrolment_id", "session_id", "jp"])
    return Case(
        ProgressInputs(
            participants=pd.DataFrame(
                {"cohort_id": 1, "enrolment_id": list(people), "nip": [f"nip{p}" for p in people]}
            ),
            cohorts=pd.DataFrame(
                [
                    {
                        "cohort_id": 1,
                        "minimum_percent": 90.0,
                        "max_gap_days": 14,
                        "work_start": WORK.first_day,
                        "work_end": WORK.last_day,
                    }
                ]
            ),
            sessions=with_recorded(sessions, rows),
            milestones=pd.DataFrame(
                [
                    {
                        "cohort_id": 1,
                        "milestone_id": MS_ID[m.code],
                        "code": m.code,
                        "kind": m.kind,
                        "due_date": m.due_date,
                        "required": m.required,
                        "stage": m.rule["stage"],
                        "revision_days": m.rule["revision_days"] or 0,
                    }
                    for m in CAL.milestones
                ]
            ),
            attended=pd.DataFrame(columns=["enrolment_id", "upto", "jp"]),
            guidance=pd.DataFrame(list(guidance), columns=["enrolment_id", "date"]),
            deliverables=pd.DataFrame(list(deliverables), columns=["enrolment_id", "stage", "date", "outcome"]),
            waived=pd.DataFrame(list(waived), columns=["milestone_id", "enrolment_id"]),
        ),
        rows,
    )


def full_attendance(who=(ALICE, BOB), absent: dict | None = None, until: date = CAL.end_date):  # noqa: ANN001, ANN201
    absent = absent or {}
    return [
        (p, i, 0 if i in absent.get(p, ()) else s.jp)
        for i, s in enumerate(CAL.sessions, start=1)
        if s.date <= until
        for p in who
    ]


def regular_guidance(who=(ALICE, BOB), every: int = 7):  # noqa: ANN001, ANN201
    days = [WORK.first_day + timedelta(days=d) for d in range(every, 61, every)]
    return [(p, d) for d in days for p in who]


def on_time(who=(ALICE, BOB), skip=()):  # noqa: ANN001, ANN201
    return [(p, m.rule["stage"], m.due_date, "accepted") for m in STAGES for p in who if (p, m.code) not in skip]


def reasons(progress, who: int) -> list[str]:  # noqa: ANN001
    row = progress.participants.set_index("enrolment_id").loc[who]
    return row["reasons"]


def status(progress, who: int, code: str) -> tuple[str, str | None]:  # noqa: ANN001
    s = progress.statuses
    row = s[(s["enrolment_id"] == who) & (s["milestone_id"] == MS_ID[code])].iloc[0]
    return row["status"], (row["reason"] if isinstance(row["reason"], str) else None)


def test_a_model_participant_is_never_at_risk() -> None:
    data = inputs(full_attendance(), regular_guidance(), on_time())
    for as_of in (START, WORK.first_day, WORK.last_day, CAL.end_date):
        assert reasons(check_progress(data, as_of), ALICE) == []


def test_four_absent_days_make_the_attendance_minimum_unreachable() -> None:
    absent = {BOB: {1, 2, 3, 4}}  # 4 days x 8 JP = 32 JP lost of 290; only 29 may be lost
    progress = check_progress(inputs(full_attendance(absent=absent), regular_guidance(), on_time()), date(2022, 7, 20))
    assert reasons(progress, BOB) == ["attendance.unreachable"]
    assert reasons(progress, ALICE) == []
    row = progress.participants.set_index("enrolment_id").loc[BOB]
    assert row["lost_jp"] == 32 and row["best_pct"] == pytest.approx(88.97)


def test_three_absent_days_still_leave_the_minimum_reachable() -> None:
    progress = check_progress(inputs(full_attendance(absent={BOB: {5, 6, 7}})), date(2022, 7, 25))
    assert "attendance.unreachable" not in reasons(progress, BOB)


def test_sessions_nobody_recorded_do_not_count_as_absences() -> None:
    attendance = [a for a in full_attendance() if a[1] > 5]  # sessions 1-5 have no records at all
    progress = check_progress(inputs(attendance), date(2022, 8, 1))
    assert reasons(progress, ALICE) == []
    assert len(progress.unrecorded_sessions) == 5


def test_a_deliverable_not_submitted_by_its_due_date_is_missed_the_day_after() -> None:
    data = inputs(full_attendance(), deliverables=on_time(skip={(BOB, "rancangan")}))
    assert status(check_progress(data, DUE["rancangan"]), BOB, "rancangan")[0] == "pending"
    after = check_progress(data, DUE["rancangan"] + timedelta(days=1))
    assert status(after, BOB, "rancangan") == ("missed", "deliverable.missing")
    assert "deliverable.missing" in reasons(after, BOB)


def test_a_late_submission_is_missed_as_late() -> None:
    late = [(BOB, "rancangan", DUE["rancangan"] + timedelta(days=2), "accepted")]
    data = inputs(full_attendance(), deliverables=on_time(skip={(BOB, "rancangan")}) + late)
    progress = check_progress(data, DUE["rancangan"] + timedelta(days=3))
    assert status(progress, BOB, "rancangan") == ("missed", "deliverable.late")


def test_a_revision_cleared_within_its_allowance_is_met() -> None:
    due = DUE["seminar_rancangan"]
    records = [
        (BOB, "seminar_rancangan", due, "revise"),
        (BOB, "seminar_rancangan", due + timedelta(days=7), "accepted"),
    ]
    data = inputs(full_attendance(), deliverables=on_time(skip={(BOB, "seminar_rancangan")}) + records)
    assert status(check_progress(data, due + timedelta(days=3)), BOB, "seminar_rancangan")[0] == "pending"
    assert status(check_progress(data, due + timedelta(days=8)), BOB, "seminar_rancangan")[0] == "met"


def test_a_revision_still_open_after_its_allowance_is_overdue() -> None:
    due = DUE["seminar_rancangan"]
    data = inputs(
        full_attendance(),
        deliverables=on_time(skip={(BOB, "seminar_rancangan")})
        + [(BOB, "seminar_rancangan", due - timedelta(days=1), "revise")],
    )
    assert reasons(check_progress(data, due + timedelta(days=7)), BOB) == []  # still within 7 days
    progress = check_progress(data, due + timedelta(days=8))
    assert status(progress, BOB, "seminar_rancangan") == ("missed", "deliverable.revision_overdue")


def test_a_rejected_deliverable_is_missed_as_rejected() -> None:
    due = DUE["laporan_kemajuan_1"]
    data = inputs(
        full_attendance(),
        regular_guidance(),
        on_time(skip={(BOB, "laporan_kemajuan_1")}) + [(BOB, "laporan_kemajuan_1", due, "rejected")],
    )
    assert status(check_progress(data, due + timedelta(days=1)), BOB, "laporan_kemajuan_1") == (
        "missed",
        "deliverable.rejected",
    )


def test_no_guidance_for_more_than_14_days_in_the_workplace_phase_is_a_risk() -> None:
    bob = [(BOB, WORK.first_day + timedelta(days=5))]
    data = inputs(full_attendance(), regular_guidance(who=(ALICE,)) + bob, on_time())
    assert "guidance.gap" not in reasons(check_progress(data, WORK.first_day + timedelta(days=19)), BOB)
    assert "guidance.gap" in reasons(check_progress(data, WORK.first_day + timedelta(days=20)), BOB)
    assert reasons(check_progress(data, WORK.first_day + timedelta(days=20)), ALICE) == []


def test_a_gap_in_the_past_phase_misses_the_coaching_milestone() -> None:
    guidance = [
        g
        for g in regular_guidance()
        if not (g[0] == BOB and WORK.first_day + timedelta(days=20) < g[1] < WORK.first_day + timedelta(days=40))
    ]
    progress = check_progress(inputs(full_attendance(), guidance, on_time()), CAL.end_date)
    assert status(progress, BOB, "pembimbingan") == ("missed", "guidance.gap")
    assert status(progress, ALICE, "pembimbingan") == ("met", None)


def test_evidence_dated_after_as_of_is_ignored() -> None:
    late = [(BOB, "rancangan", DUE["rancangan"] + timedelta(days=10), "accepted")]
    data = inputs(full_attendance(), deliverables=on_time(skip={(BOB, "rancangan")}) + late)
    before = check_progress(data, DUE["rancangan"] + timedelta(days=1))
    assert status(before, BOB, "rancangan") == ("missed", "deliverable.missing")  # what was known then
    after = check_progress(data, DUE["rancangan"] + timedelta(days=11))
    assert status(after, BOB, "rancangan") == ("missed", "deliverable.late")


def test_a_waived_milestone_stays_waived_and_is_no_risk() -> None:
    data = inputs(
        full_attendance(), deliverables=on_time(skip={(BOB, "rancangan")}), waived=[(MS_ID["rancangan"], BOB)]
    )
    progress = check_progress(data, DUE["rancangan"] + timedelta(days=1))
    assert status(progress, BOB, "rancangan") == ("waived", None)
    assert "deliverable.missing" not in reasons(progress, BOB)


def test_milestones_not_yet_due_get_no_status() -> None:
    progress = check_progress(inputs(), START)
    assert progress.statuses.empty


def test_the_assessment_milestone_is_left_to_the_final_assessment() -> None:
    progress = check_progress(inputs(full_attendance(), regular_guidance(), on_time()), CAL.end_date)
    assert status(progress, ALICE, "penilaian_akhir") == ("pending", None)


def test_attendance_exactly_at_the_minimum_is_met() -> None:
    # Lose exactly 29 JP of 290 (= 90.00 %): sessions of 8+8+8 JP and 5 JP of a fourth.
    attendance = full_attendance()
    lost = {1: 0, 2: 0, 3: 0, 4: 3}
    attendance = [(p, s, lost.get(s, jp) if p == BOB else jp) for p, s, jp in attendance]
    progress = check_progress(inputs(attendance, regular_guidance(), on_time()), CAL.end_date)
    assert reasons(progress, BOB) == []
    assert status(progress, BOB, "kehadiran_klasikal_2") == ("met", None)
    one_more = [(p, s, jp - 1 if (p, s) == (BOB, 10) else jp) for p, s, jp in attendance]
    progress = check_progress(inputs(one_more, regular_guidance(), on_time()), CAL.end_date)
    assert reasons(progress, BOB) == ["attendance.unreachable"]


def test_attendance_totals_count_sessions_up_to_each_cutoff_and_zero_for_nobody() -> None:
    """``attended_totals`` is the definition the database's sums are tested against."""
    case = inputs(full_attendance(who=(ALICE,), absent={ALICE: {2}}))
    data = case.inputs
    first_due = DUE["kehadiran_klasikal_1"]
    as_of = first_due + timedelta(days=3)
    cutoffs = attendance_cutoffs(data.milestones, [1], as_of)
    assert cutoffs["upto"].dt.date.tolist() == [first_due, as_of]
    totals = attended_totals(case.attendance, data.sessions, data.participants, cutoffs)
    jp = {(e, u.date()): v for e, u, v in totals.itertuples(index=False)}
    by_date = [(i, s) for i, s in enumerate(CAL.sessions, start=1)]
    expected = sum(s.jp for i, s in by_date if s.date <= first_due and i != 2)
    assert jp[(ALICE, first_due)] == expected
    assert jp[(ALICE, as_of)] == sum(s.jp for i, s in by_date if s.date <= as_of and i != 2)
    assert jp[(BOB, first_due)] == jp[(BOB, as_of)] == 0  # no row at all: 0, not missing


def test_the_rules_refuse_inputs_without_the_attendance_totals_they_read() -> None:
    case = inputs(full_attendance())
    with pytest.raises(ValueError, match="attendance total"):
        rules.check_progress(case.inputs, CAL.end_date)  # no totals at all: a loader bug, not "nobody came"
