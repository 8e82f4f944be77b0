"""The milestone check's store on its own (no flows), on SQLite and PostgreSQL: history and outbox once per key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from diklat.db.uow import unit_of_work
from diklat.notify import Message
from diklat.store import actions, cohorts, guides, notifications
from diklat.store.calendar import write_calendar
from diklat.store.participants import guide_contacts, withdrawn_counts
from diklat.store.progress import append_history, running_cohorts
from diklat.templates import resolve_template
from schemas import tables as t
from tests.helpers import enrol_clean_roster

pytestmark = pytest.mark.integration

START = date(2022, 7, 14)
PROGRAM = "PKP Kota Jambi 2022"
TEMPLATE = resolve_template("PKP")
COACH = "197001011995031001"


@pytest.fixture
def cohort(sessions, tmp_path: Path) -> tuple[cohorts.CohortRef, list[str]]:
    """An open cohort of 4 with its calendar, one coach with an e-mail, mentors from NIP ATASAN."""
    with unit_of_work(sessions) as s:
        ref, gated = enrol_clean_roster(s, tmp_path, PROGRAM, START)
        superiors = dict(zip(gated.accepted["nip"], gated.accepted["superior_nip"], strict=True))
        coaches = pd.DataFrame({"nip": [COACH], "name": ["Coach"], "email": ["coach@bpsdm.example"]})
        guides.save_guides(s, ref, superiors, coaches, "test")
        write_calendar(s, ref)
    return ref, list(gated.accepted["nip"])


def message(key: str) -> Message:
    return Message(key, "log", "operator", "Participants at risk", "body")


def test_running_cohorts_are_the_open_ones_started_by_the_day(sessions, cohort) -> None:
    ref, _ = cohort
    with unit_of_work(sessions) as s:
        assert running_cohorts(s, START) == [ref]
        assert running_cohorts(s, date(2022, 7, 13)) == []
        assert running_cohorts(s, START, "another programme") == []
        assert running_cohorts(s, START, PROGRAM, 2) == []


def test_a_status_is_appended_once_per_change_and_never_overwritten(sessions, cohort) -> None:
    ref, nips = cohort
    with unit_of_work(sessions) as s:
        milestone = s.scalar(select(t.Milestone.id).where(t.Milestone.cohort_id == ref.cohort_id).limit(1))
        enrolment = s.scalar(select(t.Enrolment.id).where(t.Enrolment.nip == nips[0]))
    pending = pd.DataFrame(
        [{"milestone_id": milestone, "enrolment_id": enrolment, "status": "pending", "reason": None}]
    )
    missed = pending.assign(status="missed", reason="deliverable.missing")
    with unit_of_work(sessions) as s:
        assert append_history(s, pending, [ref.cohort_id], date(2022, 8, 1)) == 1
    with unit_of_work(sessions) as s:
        assert append_history(s, pending, [ref.cohort_id], date(2022, 8, 2)) == 0  # nothing new
        assert append_history(s, missed, [ref.cohort_id], date(2022, 8, 3)) == 1
        assert append_history(s, missed, [ref.cohort_id], date(2022, 8, 4)) == 0
        # a backfill for a day before the change compares with what was known then
        assert append_history(s, pending, [ref.cohort_id], date(2022, 8, 2)) == 0
        assert append_history(s, pending.iloc[:0], [ref.cohort_id], date(2022, 8, 5)) == 0
    with unit_of_work(sessions) as s:
        rows = s.execute(select(t.MilestoneStatus.status, t.MilestoneStatus.as_of).order_by(t.MilestoneStatus.id))
        assert [tuple(r) for r in rows] == [("pending", date(2022, 8, 1)), ("missed", date(2022, 8, 3))]


def test_two_writers_of_the_same_change_from_the_same_history_write_it_once_without_any_lock(sessions, cohort) -> None:
    """The schema, not a lock, forbids the duplicate: the second writer's insert is skipped on the chain key.

    Writer A appends and holds its transaction open; writer B reads the same history (A's row is not
    committed yet, so B computes the same change) and appends. Without the unique chain key B would
    write a second copy (what eight concurrent checks did in issue 13); with it B waits on A, then skips.
    """
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    ref, nips = cohort
    with unit_of_work(sessions) as s:
        milestone = s.scalar(select(t.Milestone.id).where(t.Milestone.cohort_id == ref.cohort_id).limit(1))
        enrolment = s.scalar(select(t.Enrolment.id).where(t.Enrolment.nip == nips[0]))
    missed = pd.DataFrame(
        [{"milestone_id": milestone, "enrolment_id": enrolment, "status": "missed", "reason": "deliverable.missing"}]
    )
    appended = Barrier(2)

    def writer(name: str) -> int:
        with unit_of_work(sessions) as s:
            if name == "B":
                appended.wait()  # A has written and not committed
            written = append_history(s, missed, [ref.cohort_id], date(2022, 8, 3))
            if name == "A":
                appended.wait()
                __import__("time").sleep(1.0)  # B reads now, then blocks (PostgreSQL) or waits for the lock (SQLite)
            return written

    with ThreadPoolExecutor(max_workers=2) as pool:
        written = sorted(pool.map(writer, ["A", "B"]))
    assert written == [0, 1]
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count()).select_from(t.MilestoneStatus)) == 1


def test_a_notification_is_recorded_once_per_key_and_not_pending_once_sent(sessions, cohort) -> None:
    with unit_of_work(sessions) as s:
        notifications.plan(s, [message("a"), message("b")])
    with unit_of_work(sessions) as s:
        notifications.plan(s, [message("a"), message("c")])
        waiting = notifications.pending(s)
    assert [m.key for _, m in waiting] == ["a", "b", "c"]
    with unit_of_work(sessions) as s:
        notifications.mark_sent(s, [nid for nid, m in waiting if m.key in ("a", "b")])
        notifications.mark_sent(s, [])
    with unit_of_work(sessions) as s:
        notifications.plan(s, [message("a")])  # planned again after sending: still sent, not pending
        assert [m.key for _, m in notifications.pending(s)] == ["c"]
        assert s.scalar(select(func.count()).select_from(t.Notification)) == 3


def test_contacts_name_each_participants_coach_and_withdrawals_are_counted(sessions, cohort) -> None:
    ref, nips = cohort
    with unit_of_work(sessions) as s:
        contacts = guide_contacts(s, [ref.cohort_id])
        assert withdrawn_counts(s, [ref.cohort_id]) == {}
    assert len(contacts) == len(nips) and contacts["name"].notna().all()
    assert set(contacts["coach_email"]) == {"coach@bpsdm.example"}
    with unit_of_work(sessions) as s:
        assert actions.withdraw(s, ref, nips[0], date(2022, 8, 1), "mutasi", "test")
    with unit_of_work(sessions) as s:
        assert withdrawn_counts(s, [ref.cohort_id]) == {ref.cohort_id: 1}
        assert withdrawn_counts(s, [ref.cohort_id + 1]) == {}


def test_attendance_totals_summed_in_the_database_equal_the_rules_definition(sessions, tmp_path: Path) -> None:
    """The loader sums attendance in SQL (issue #17); the sums must be what ``attended_totals`` makes of the rows.

    Two cohorts with different calendars (so different cutoffs), partial and missing attendance, a
    participant without any row, and dates before, between and after the attendance milestones.
    """
    from diklat.domain.progress import attendance_cutoffs, attended_totals, check_progress
    from diklat.store.progress import load_inputs

    with unit_of_work(sessions) as s:
        first, _ = enrol_clean_roster(s, tmp_path, PROGRAM, START, number=1)
        second, _ = enrol_clean_roster(s, tmp_path, PROGRAM, date(2022, 8, 1), seed=11, number=2)
        for ref in (first, second):
            write_calendar(s, ref)
        people = s.execute(select(t.Enrolment.id, t.Enrolment.cohort_id).order_by(t.Enrolment.id)).all()
        calendar = s.execute(select(t.Session.id, t.Session.cohort_id, t.Session.jp).order_by(t.Session.id)).all()
        rows = []
        for n, (enrolment_id, cohort_id) in enumerate(people):
            if n == 2:
                continue  # no attendance at all
            for k, (session_id, session_cohort, jp) in enumerate(calendar):
                if session_cohort == cohort_id and (k + n) % 7 and k % 11 != 5:  # absences, unrecorded sessions
                    rows.append(
                        t.Attendance(enrolment_id=enrolment_id, session_id=session_id, status="hadir", jp=jp - n % 2)
                    )
        s.add_all(rows)
    ends = [first, second]
    with unit_of_work(sessions) as s:
        raw = pd.DataFrame(
            s.execute(select(t.Attendance.enrolment_id, t.Attendance.session_id, t.Attendance.jp)).all(),
            columns=["enrolment_id", "session_id", "jp"],
        )
        for as_of in (date(2022, 7, 20), date(2022, 8, 25), date(2022, 10, 3), date(2022, 12, 31)):
            cohorts_now = [c for c in ends if c.start_date <= as_of]
            data = load_inputs(s, cohorts_now, as_of)
            cutoffs = attendance_cutoffs(data.milestones, [c.cohort_id for c in cohorts_now], as_of)
            expected = attended_totals(raw, data.sessions, data.participants, cutoffs)
            key = ["enrolment_id", "upto"]
            got = data.attended.assign(upto=pd.to_datetime(data.attended["upto"])).sort_values(key, ignore_index=True)
            pd.testing.assert_frame_equal(got, expected.sort_values(key, ignore_index=True), check_dtype=False)
            assert len(got) >= len(data.participants)  # every participant, at every cutoff
            recorded = set(raw["session_id"])
            assert data.sessions["recorded"].tolist() == [i in recorded for i in data.sessions["session_id"]]
            check_progress(data, as_of)  # the rules accept what the loader gives
