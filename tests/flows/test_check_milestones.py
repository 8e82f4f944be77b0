"""check-milestones on a Prefect test server: history, idempotence, backfill, withdrawal, e-mail."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.store import actions
from diklat.store.cohorts import find_cohort
from diklat.synth.roster import make_roster, write_table
from flows.check_milestones import check_milestones
from flows.ingest_evidence import ingest_evidence
from flows.open_cohort import open_cohort
from schemas import tables as t
from schemas.params import CheckMilestones, IngestEvidence
from tests.helpers import open_params, snapshot
from tests.prepared import Prepared

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

START = date(2022, 7, 14)
PROGRAM = "PKP Kota Jambi 2022"


@pytest.fixture
def cohort(settings, prepared: Prepared, tmp_path: Path) -> list[str]:
    """A cohort of 6 with coach e-mails (opened through the flow once per backend, then restored)."""

    def build() -> list[str]:
        synth = make_roster(6, seed=21, today=START)
        state = open_cohort(open_params(write_table(synth.frame, tmp_path / "roster.csv")), return_state=True)
        assert state.is_completed()
        return [p.nip for p in synth.people]

    return prepared.restore_or_build(settings, "cohort", build)


def ingest(kind: str, rows: list[dict], tmp_path: Path, name: str):  # noqa: ANN201
    path = write_table(pd.DataFrame(rows), tmp_path / name)
    return ingest_evidence(
        IngestEvidence(program=PROGRAM, cohort=1, kind=kind, file=str(path), today=START), return_state=True
    )


def history_rows() -> int:
    with services().unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(t.MilestoneStatus))


def test_attendance_rows_outside_the_calendar_are_quarantined_with_the_reason(cohort, tmp_path: Path) -> None:
    rows = [{"NIP": nip, "TANGGAL": "14/07/2022", "STATUS": "hadir"} for nip in cohort]
    rows += [
        {"NIP": cohort[0], "TANGGAL": "16/07/2022", "STATUS": "hadir"},  # a Saturday
        {"NIP": cohort[1], "TANGGAL": "14/07/2021", "STATUS": "hadir"},  # before the cohort
        {"NIP": "198001012005011001", "TANGGAL": "15/07/2022", "STATUS": "hadir"},  # not a participant
        {"NIP": cohort[2], "TANGGAL": "15/07/2022", "STATUS": "telat"},  # not a status
        {"NIP": cohort[0], "TANGGAL": "14 Juli 2022", "STATUS": "H"},  # repeats row 2
    ]
    summary = ingest("attendance", rows, tmp_path, "hadir.xlsx").result()
    assert (summary.counts.rows_read, summary.counts.rows_accepted, summary.counts.rows_quarantined) == (11, 6, 5)
    with services().unit_of_work() as session:
        codes = dict(session.execute(select(t.QuarantinedRow.row_number, t.QuarantinedRow.reasons)).all())
    assert {r["code"] for r in codes[8]} == {"session.none_on_date"}
    assert {r["code"] for r in codes[9]} >= {"evidence.outside_cohort"}
    assert {r["code"] for r in codes[10]} == {"evidence.not_participant"}
    assert {r["code"] for r in codes[11]} == {"value.not_allowed"}
    assert {r["code"] for r in codes[12]} == {"row.duplicate_key"}


def test_a_corrected_attendance_row_is_updated_and_audited(cohort, tmp_path: Path) -> None:
    ingest("attendance", [{"NIP": cohort[0], "TANGGAL": "14/07/2022", "STATUS": "alpa"}], tmp_path, "a.csv")
    result = ingest(
        "attendance", [{"NIP": cohort[0], "TANGGAL": "14/07/2022", "STATUS": "hadir"}], tmp_path, "b.csv"
    ).result()
    assert result.counts.rows_accepted == 1 and result.counts.rows_unchanged == 0
    with services().unit_of_work() as session:
        assert session.scalars(select(t.Attendance.status)).all() == ["hadir"]
        entry = session.scalars(select(t.AuditLog).where(t.AuditLog.entity == "attendance")).one()
    assert entry.old_value == {"status": "alpa", "jp": 0} and entry.new_value == {"status": "hadir", "jp": 8}
    assert "b.csv" in entry.source


def test_the_same_check_twice_writes_and_sends_nothing_the_second_time(cohort, settings, tmp_path: Path) -> None:
    as_of = date(2022, 8, 12)  # the draft plan (rancangan) was due on 11 August: nobody submitted it
    first = check_milestones(CheckMilestones(as_of=as_of))
    assert first.at_risk == 6 and first.history_rows > 0 and first.notifications_sent >= 1
    before = snapshot(settings.sqlalchemy_url)
    second = check_milestones(CheckMilestones(as_of=as_of))
    assert second.at_risk == 6 and second.history_rows == 0 and second.notifications_sent == 0
    assert snapshot(settings.sqlalchemy_url) == before


def test_a_backfill_reproduces_what_was_known_then(cohort, tmp_path: Path) -> None:
    due = date(2022, 8, 11)
    ingest(
        "deliverables",
        [{"NIP": nip, "TAHAP": "rancangan", "TANGGAL": "20/08/2022", "HASIL": "diterima"} for nip in cohort],
        tmp_path,
        "late.csv",
    )
    then = check_milestones(CheckMilestones(as_of=due + timedelta(days=1), notify=False))
    reasons = {code for c in then.cohorts for r in c.at_risk for code in r["reasons"]}
    assert "deliverable.missing" in reasons and "deliverable.late" not in reasons
    now = check_milestones(CheckMilestones(as_of=date(2022, 8, 21), notify=False))
    reasons = {code for c in now.cohorts for r in c.at_risk for code in r["reasons"]}
    assert "deliverable.late" in reasons and "deliverable.missing" in reasons  # seminar_rancangan still missing


def test_status_changes_are_appended_never_overwritten(cohort, tmp_path: Path) -> None:
    check_milestones(CheckMilestones(as_of=date(2022, 8, 12), notify=False))
    written = history_rows()
    with services().unit_of_work() as session:
        ref = find_cohort(session, PROGRAM, 1)
        actions.waive(session, ref, cohort[0], "rancangan", date(2022, 8, 13), "sick leave, agreed", "operator")
    check_milestones(CheckMilestones(as_of=date(2022, 8, 13), notify=False))
    with services().unit_of_work() as session:
        statuses = session.scalars(
            select(t.MilestoneStatus.status)
            .join(t.Enrolment)
            .join(t.Milestone)
            .where(t.Enrolment.nip == cohort[0], t.Milestone.code == "rancangan")
            .order_by(t.MilestoneStatus.id)
        ).all()
    assert statuses == ["missed", "waived"]
    assert history_rows() > written


def test_a_withdrawn_participant_is_no_longer_checked(cohort) -> None:
    with services().unit_of_work() as session:
        ref = find_cohort(session, PROGRAM, 1)
        assert actions.withdraw(session, ref, cohort[5], date(2022, 8, 1), "mutasi ke luar daerah", "operator")
        assert not actions.withdraw(session, ref, cohort[5], date(2022, 8, 1), "again", "operator")
    summary = check_milestones(CheckMilestones(as_of=date(2022, 8, 12), notify=False))
    [checked] = summary.cohorts
    assert checked.participants == 5 and checked.withdrawn == 1 and len(checked.at_risk) == 5

    # a backfill for a day before the withdrawal still counts (and checks) them, as the check then would have
    [before] = check_milestones(CheckMilestones(as_of=date(2022, 7, 29), notify=False)).cohorts
    assert before.participants == 6 and before.withdrawn == 0


def assign_coaches() -> None:
    with services().unit_of_work() as session:
        enrolments = session.scalars(select(t.Enrolment.id).order_by(t.Enrolment.id)).all()
        for i, eid in enumerate(enrolments):
            session.add(
                t.Assignment(
                    enrolment_id=eid,
                    role="coach",
                    person_nip=f"1970010119950310{i % 2}",
                    email=f"coach{i % 2}@bpsdm.example",
                )
            )


def test_coaches_and_the_operator_get_one_email_each(cohort, smtp_sink) -> None:
    assign_coaches()
    first = check_milestones(CheckMilestones(as_of=date(2022, 8, 12)))
    again = check_milestones(CheckMilestones(as_of=date(2022, 8, 12)))
    recipients = sorted(m["To"] for m in smtp_sink)
    assert recipients == ["coach0@bpsdm.example", "coach1@bpsdm.example", "operator@bkpsdmd.example"]
    assert again.notifications_sent == 0 and first.notifications_sent == 6  # 3 by e-mail, 3 in the log
    body = smtp_sink[0].get_payload()
    assert "**********" in body  # NIPs masked
    assert all(nip not in body for nip in cohort)


def test_eight_concurrent_checks_send_each_email_once_and_write_each_history_row_once(cohort, smtp_sink) -> None:
    from concurrent.futures import ThreadPoolExecutor

    assign_coaches()
    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(lambda _: check_milestones(CheckMilestones(as_of=date(2022, 8, 12))), range(8)))
    recipients = sorted(m["To"] for m in smtp_sink)
    assert recipients == ["coach0@bpsdm.example", "coach1@bpsdm.example", "operator@bkpsdmd.example"]
    assert sum(run.notifications_sent for run in runs) == 6  # 3 e-mails and 3 log lines, across all eight runs
    with services().unit_of_work() as session:
        distinct = session.execute(
            select(func.count()).select_from(
                select(t.MilestoneStatus.milestone_id, t.MilestoneStatus.enrolment_id, t.MilestoneStatus.as_of)
                .distinct()
                .subquery()
            )
        ).scalar()
        pending = session.scalar(select(func.count()).where(t.Notification.status != "sent"))
    assert history_rows() == distinct > 0 and pending == 0


def test_checks_and_deliveries_racing_step_by_step_still_write_and_send_once(cohort, smtp_sink) -> None:
    """The steps of eight checks started at the same instant (a barrier), as eight workers would run them."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from tasks.milestones import check_cohorts, deliver_notifications, find_running_cohorts

    assign_coaches()
    as_of = date(2022, 8, 12)
    ids = [c.cohort_id for c in find_running_cohorts.fn(as_of, None, None)]
    start = Barrier(8)

    def one_check(_: int) -> tuple[int, int]:
        start.wait()
        written = check_cohorts.fn(ids, as_of, True).history_rows
        start.wait()
        return written, deliver_notifications.fn()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one_check, range(8)))
    assert sorted(m["To"] for m in smtp_sink) == [
        "coach0@bpsdm.example",
        "coach1@bpsdm.example",
        "operator@bkpsdmd.example",
    ]
    assert sum(sent for _, sent in outcomes) == 6
    assert sorted(written for written, _ in outcomes)[:-1] == [0] * 7  # one check wrote, seven found it done
    assert history_rows() == max(written for written, _ in outcomes) > 0


def test_beyond_the_per_cohort_limit_one_overview_replaces_cohort_artifacts(cohort, monkeypatch) -> None:
    from diklat.settings import get_settings
    from tests.helpers import run_artifacts

    monkeypatch.setenv("DIKLAT_COHORT_ARTIFACTS_MAX", "0")
    get_settings.cache_clear()
    state = check_milestones(CheckMilestones(as_of=date(2022, 8, 12), notify=False), return_state=True)
    shown = run_artifacts(state.state_details.flow_run_id)
    assert {"milestones-overview", "milestones-at-risk"} <= set(shown)
    assert not any(key.startswith("milestones-pkp") for key in shown)
    assert "PKP Kota Jambi 2022 / Angkatan 1" in shown["milestones-overview"]
    assert len(state.result().cohorts[0].at_risk) == len(json.loads(shown["milestones-at-risk"]))
    assert not any(nip in text for nip in cohort for text in shown.values())  # NIPs masked
