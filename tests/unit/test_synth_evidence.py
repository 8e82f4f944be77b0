"""Synthetic evidence files: model participants stay clear, planted faults surface exactly when the rules say.

What "the rules say" is the tests' own reading of docs/milestone-rules.md (``tests.oracles``),
applied to the facts the generator reports; it shares no code with diklat.domain.progress.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pandas as pd
import pytest

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.synth.evidence import FAULT_KINDS, make_evidence
from diklat.synth.roster import make_roster
from diklat.templates import resolve_template
from schemas.files import ATTENDANCE, ATTENDANCE_STATUS, DELIVERABLES, GUIDANCE, GUIDANCE_KIND, OUTCOME
from tests.oracles import milestone_of, planted_at_risk

pytestmark = pytest.mark.unit

START = date(2022, 7, 14)
LATE = date(2022, 11, 30)  # after every due date and revision allowance of PKP 2019.1
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def template():
    return resolve_template("PKP")


@pytest.fixture(scope="module")
def calendar(template):
    return build_calendar(template, START, days_off_for(template, START))


@pytest.fixture(scope="module")
def nips():
    return [p.nip for p in make_roster(30, seed=11).people]


@pytest.fixture(scope="module")
def all_faults(nips, calendar, template):
    return make_evidence(nips, calendar, template, seed=5, as_of=LATE, faults={k: 1 for k in FAULT_KINDS})


def day(text: str) -> date:
    d, m, y = text.split("/")
    return date(int(y), int(m), int(d))


def good_rows(frame: pd.DataFrame, bad: list[int]) -> pd.DataFrame:
    return frame.drop(index=[n - 2 for n in bad])


def allowance(calendar, template) -> Decimal:
    total = sum(s.jp for s in calendar.sessions)
    return total - total * Decimal(template.attendance_minimum_percent) / 100


# --- the oracle: docs/milestone-rules.md applied to the planted facts -----------------------------


# --- determinism and shape ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_files_and_faults(nips, calendar, template):
    kwargs = dict(as_of=LATE, faults={"absent": 1, "coaching_gap": 1, "withdrawn": 1}, bad_rows=4)
    a = make_evidence(nips, calendar, template, seed=3, **kwargs)
    b = make_evidence(nips, calendar, template, seed=3, **kwargs)
    c = make_evidence(nips, calendar, template, seed=4, **kwargs)
    for name in ("attendance", "guidance", "deliverables"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert (a.faults, a.bad_rows, a.withdrawn) == (b.faults, b.bad_rows, b.withdrawn)
    assert not a.guidance.equals(c.guidance)


def test_files_carry_the_first_indonesian_header_of_each_column_and_only_text(all_faults):
    for frame, spec in (
        (all_faults.attendance, ATTENDANCE),
        (all_faults.guidance, GUIDANCE),
        (all_faults.deliverables, DELIVERABLES),
    ):
        assert list(frame.columns) == [c.aliases[0] for c in spec.columns if c.name != "quarantine_id"]
        assert all(isinstance(v, str) for v in frame.to_numpy().ravel())


@pytest.mark.parametrize("as_of", [date(2022, 7, 20), date(2022, 8, 25), date(2022, 10, 20), LATE])
def test_nothing_is_dated_after_as_of_not_even_a_bad_row(nips, calendar, template, as_of):
    ev = make_evidence(nips, calendar, template, seed=8, as_of=as_of, faults={k: 1 for k in FAULT_KINDS}, bad_rows=6)
    for frame in (ev.attendance, ev.guidance, ev.deliverables):
        assert max(day(t) for t in frame["TANGGAL"]) <= as_of


# --- model participants ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_model_participants_stay_above_the_attendance_minimum(nips, calendar, template, seed):
    ev = make_evidence(nips, calendar, template, seed=seed, as_of=LATE, faults={})
    jp = {s.code: s.jp for s in calendar.sessions}
    total = sum(jp.values())
    att = ev.attendance
    assert len(att) == len(nips) * len(calendar.sessions)
    for _nip, rows in att.groupby("NIP"):
        assert set(rows["SESI"]) == set(jp)
        lost = sum(jp[s] - int(j) for s, j in zip(rows["SESI"], rows["JP"], strict=True))
        assert lost <= allowance(calendar, template)
        assert Decimal(total - lost) * 100 >= Decimal(template.attendance_minimum_percent) * total
        assert (rows["STATUS"] != "hadir").sum() <= 1
        assert "alpa" not in set(rows["STATUS"])
    excused = att[att["STATUS"] != "hadir"]
    assert set(excused["STATUS"]) <= {"izin", "sakit"} and len(excused) > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_model_participants_are_never_left_longer_than_the_maximum_without_guidance(nips, calendar, template, seed):
    ev = make_evidence(nips, calendar, template, seed=seed, as_of=LATE, faults={})
    w = calendar.phase("aktualisasi")
    limit = template.coaching.max_gap_days
    met = {nip: sorted(day(t) for t in rows["TANGGAL"]) for nip, rows in ev.guidance.groupby("NIP")}
    assert set(met) == set(nips)
    assert set(ev.guidance["JENIS"]) == {"coaching", "mentoring"}
    for meetings in met.values():
        assert all(w.first_day <= d <= w.last_day for d in meetings)
        points = [w.first_day, *meetings, w.last_day]
        assert max((b - a).days for a, b in pairwise(points)) <= limit
        assert min((b - a).days for a, b in pairwise(meetings)) >= 5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_model_participants_have_every_stage_accepted_by_its_due_date(nips, calendar, template, seed):
    ev = make_evidence(nips, calendar, template, seed=seed, as_of=LATE, faults={})
    stages = [m for m in calendar.milestones if m.kind in ("deliverable", "seminar")]
    revised = 0
    for nip in nips:
        mine = ev.deliverables[ev.deliverables["NIP"] == nip]
        for m in stages:
            rows = mine[mine["TAHAP"] == m.rule["stage"]]
            records = sorted((day(t), h) for t, h in zip(rows["TANGGAL"], rows["HASIL"], strict=True))
            accepted = [d for d, h in records if h == "diterima"]
            assert len(accepted) == 1 and "ditolak" not in {h for _, h in records}
            if accepted[0] > m.due_date:
                assert records[0][1] == "revisi" and records[0][0] <= m.due_date
                assert accepted[0] <= m.due_date + m.rule["revision_days"] * DAY
            revised += any(h == "revisi" for _, h in records)
    assert revised > 0
    assert planted_at_risk(ev, calendar, template, LATE) == {}


# --- planted faults -------------------------------------------------------------------------------


def test_default_faults_are_two_absentees_one_late_deliverable_and_one_coaching_gap(nips, calendar, template):
    ev = make_evidence(nips, calendar, template, seed=2, as_of=LATE)
    kinds = sorted(f.fault for f in ev.faults)
    assert kinds == ["absent", "absent", "coaching_gap", "late_deliverable"]
    assert len({f.nip for f in ev.faults}) == 4
    assert planted_at_risk(ev, calendar, template, LATE) == {
        f.nip: {
            {
                "absent": "attendance.unreachable",
                "coaching_gap": "guidance.gap",
                "late_deliverable": "deliverable.late",
            }[f.fault]
        }
        for f in ev.faults
    }


def test_each_fault_kind_gives_its_reason_at_a_late_as_of(all_faults, calendar, template):
    reasons = {
        "absent": "attendance.unreachable",
        "late_deliverable": "deliverable.late",
        "missing_deliverable": "deliverable.missing",
        "revision_not_cleared": "deliverable.revision_overdue",
        "rejected_deliverable": "deliverable.rejected",
        "coaching_gap": "guidance.gap",
    }
    assert sorted(f.fault for f in all_faults.faults) == sorted(FAULT_KINDS)
    expected = planted_at_risk(all_faults, calendar, template, LATE)
    assert expected == {f.nip: {reasons[f.fault]} for f in all_faults.faults}


def test_planted_deliverable_faults_are_what_the_file_shows(all_faults, calendar):
    dlv = all_faults.deliverables
    for f in all_faults.faults:
        if f.stage is None:
            continue
        m = milestone_of(calendar, f.stage)
        rows = dlv[(dlv["NIP"] == f.nip) & (dlv["TAHAP"] == f.stage)]
        records = [(day(t), h) for t, h in zip(rows["TANGGAL"], rows["HASIL"], strict=True)]
        if f.fault == "late_deliverable":
            assert len(records) == 1 and records[0][1] == "diterima" and records[0][0] > m.due_date
        elif f.fault == "missing_deliverable":
            assert records == []
        elif f.fault == "revision_not_cleared":
            assert len(records) == 1 and records[0][1] == "revisi" and records[0][0] <= m.due_date
        elif f.fault == "rejected_deliverable":
            assert len(records) == 1 and records[0][1] == "ditolak" and records[0][0] <= m.due_date


@pytest.mark.parametrize("kind", ["late_deliverable", "missing_deliverable", "rejected_deliverable"])
def test_a_deliverable_fault_counts_only_after_its_due_date(all_faults, calendar, template, kind):
    fault = next(f for f in all_faults.faults if f.fault == kind)
    due = milestone_of(calendar, fault.stage).due_date
    for before in (due - DAY, due):
        assert fault.nip not in planted_at_risk(all_faults, calendar, template, before)
    assert fault.nip in planted_at_risk(all_faults, calendar, template, due + DAY)


def test_a_late_deliverable_reads_as_missing_until_it_arrives(all_faults, calendar, template):
    fault = next(f for f in all_faults.faults if f.fault == "late_deliverable")
    (submitted,) = fault.dates
    due = milestone_of(calendar, fault.stage).due_date
    if submitted > due + DAY:
        assert planted_at_risk(all_faults, calendar, template, due + DAY)[fault.nip] == {"deliverable.missing"}
    assert planted_at_risk(all_faults, calendar, template, submitted)[fault.nip] == {"deliverable.late"}


def test_an_uncleared_revision_counts_only_after_the_revision_allowance(all_faults, calendar, template):
    fault = next(f for f in all_faults.faults if f.fault == "revision_not_cleared")
    m = milestone_of(calendar, fault.stage)
    last = m.due_date + m.rule["revision_days"] * DAY
    for before in (m.due_date + DAY, last):
        assert fault.nip not in planted_at_risk(all_faults, calendar, template, before)
    assert planted_at_risk(all_faults, calendar, template, last + DAY)[fault.nip] == {"deliverable.revision_overdue"}


def test_absences_count_from_the_session_that_takes_lost_jp_past_the_allowance(all_faults, calendar, template):
    fault = next(f for f in all_faults.faults if f.fault == "absent")
    att = all_faults.attendance
    rows = att[(att["NIP"] == fault.nip) & (att["STATUS"] == "alpa")]
    jp = {s.code: s.jp for s in calendar.sessions}
    running, tipping = 0, None
    for sesi, when in sorted(zip(rows["SESI"], rows["TANGGAL"], strict=True), key=lambda r: day(r[1])):
        running += jp[sesi]
        if tipping is None and running > allowance(calendar, template):
            tipping = day(when)
    assert tipping is not None and set(att[att["NIP"] == fault.nip]["STATUS"]) == {"hadir", "alpa"}
    assert fault.nip not in planted_at_risk(all_faults, calendar, template, tipping - DAY)
    assert planted_at_risk(all_faults, calendar, template, tipping)[fault.nip] == {"attendance.unreachable"}


def test_absences_planted_before_enough_sessions_exist_are_not_yet_at_risk(nips, calendar, template):
    as_of = date(2022, 7, 18)  # three sessions of 8 JP: 24 JP cannot exceed the 29 JP allowance
    ev = make_evidence(nips, calendar, template, seed=1, as_of=as_of, faults={"absent": 1})
    (fault,) = ev.faults
    assert len(fault.dates) == 3 and "not yet unreachable" in fault.detail
    assert planted_at_risk(ev, calendar, template, as_of) == {}


def test_a_coaching_gap_counts_while_it_lasts_and_again_once_the_coaching_milestone_is_missed(
    all_faults, calendar, template
):
    fault = next(f for f in all_faults.faults if f.fault == "coaching_gap")
    limit = template.coaching.max_gap_days
    gap_start, gap_end = fault.dates
    met = sorted(day(t) for t in all_faults.guidance[all_faults.guidance["NIP"] == fault.nip]["TANGGAL"])
    assert gap_start in met and gap_end in met and not [d for d in met if gap_start < d < gap_end]
    assert (gap_end - gap_start).days >= limit + 5

    def at_risk(on: date) -> bool:
        return fault.nip in planted_at_risk(all_faults, calendar, template, on)

    w1 = calendar.phase("aktualisasi").last_day
    assert not at_risk(gap_start + limit * DAY)
    assert at_risk(gap_start + (limit + 1) * DAY) and at_risk(gap_end - DAY)
    assert not at_risk(gap_end) and not at_risk(w1 - DAY)
    assert at_risk(w1) and at_risk(LATE)


def test_faults_fall_on_distinct_participants_and_unknown_ones_are_refused(nips, calendar, template):
    ev = make_evidence(nips, calendar, template, seed=9, as_of=LATE, faults={k: 2 for k in FAULT_KINDS})
    assert len({f.nip for f in ev.faults}) == 12
    with pytest.raises(ValueError, match="unknown"):
        make_evidence(nips, calendar, template, seed=9, as_of=LATE, faults={"asleep": 1})
    with pytest.raises(ValueError):
        make_evidence(nips[:3], calendar, template, seed=9, as_of=LATE, faults={"absent": 4})
    with pytest.raises(ValueError):
        planted_at_risk(ev, calendar, template, LATE + DAY)


# --- bad rows -------------------------------------------------------------------------------------


def _problems(frame: pd.DataFrame, kind: str, nips, calendar) -> list[bool]:
    """Per row, whether an independent reading of the rules would quarantine it."""
    sessions = {s.date: s.code for s in calendar.sessions}
    stages = {m.rule["stage"] for m in calendar.milestones if m.rule.get("stage")}
    seen: set[tuple] = set()
    out = []
    for row in frame.to_dict("records"):
        when = day(row["TANGGAL"])
        bad = row["NIP"] not in nips or not calendar.start_date <= when <= calendar.end_date
        if kind == "attendance":
            bad |= when not in sessions or row["SESI"] not in ("", sessions.get(when))
            bad |= row["STATUS"].lower() not in ATTENDANCE_STATUS
            key = (row["NIP"], sessions.get(when, row["TANGGAL"]))
        elif kind == "guidance":
            bad |= row["JENIS"].lower() not in GUIDANCE_KIND
            key = (row["NIP"], when, row["JENIS"])
        else:
            bad |= row["TAHAP"] not in stages or row["HASIL"].lower() not in OUTCOME
            key = (row["NIP"], row["TAHAP"], when)
        bad |= key in seen
        seen.add(key)
        out.append(bad)
    return out


@pytest.mark.parametrize("as_of", [date(2022, 7, 20), date(2022, 9, 10), LATE])
def test_bad_rows_are_the_appended_rows_and_only_they_break_the_rules(nips, calendar, template, as_of):
    k = 7
    ev = make_evidence(nips, calendar, template, seed=6, as_of=as_of, faults={"withdrawn": 1, "absent": 1}, bad_rows=k)
    for kind, frame in (("attendance", ev.attendance), ("guidance", ev.guidance), ("deliverables", ev.deliverables)):
        rows = ev.bad_rows[kind]
        assert rows == list(range(len(frame) + 2 - k, len(frame) + 2))
        flags = _problems(frame, kind, nips, calendar)
        assert [n for n, bad in enumerate(flags, start=2) if bad] == rows


def test_bad_rows_are_written_as_an_operator_would(nips, calendar, template):
    ev = make_evidence(nips, calendar, template, seed=6, as_of=LATE, bad_rows=10)
    bad_att = ev.attendance.iloc[[n - 2 for n in ev.bad_rows["attendance"]]]
    bad_gui = ev.guidance.iloc[[n - 2 for n in ev.bad_rows["guidance"]]]
    bad_dlv = ev.deliverables.iloc[[n - 2 for n in ev.bad_rows["deliverables"]]]
    assert "telat" in set(bad_att["STATUS"])
    assert any(day(t).weekday() >= 5 for t in bad_att["TANGGAL"])
    assert "konsultasi" in set(bad_gui["JENIS"])
    assert "laporan_bulanan" in set(bad_dlv["TAHAP"])
    unknown = set(bad_att["NIP"]) - set(nips)
    assert unknown and all(len(n) == 18 and n.isdigit() for n in unknown)
    assert any(day(t) < calendar.start_date for t in bad_dlv["TANGGAL"])


def test_bad_rows_leave_the_ground_truth_unchanged(nips, calendar, template):
    plain = make_evidence(nips, calendar, template, seed=6, as_of=LATE)
    messy = make_evidence(nips, calendar, template, seed=6, as_of=LATE, bad_rows=10)
    assert messy.faults == plain.faults
    assert planted_at_risk(messy, calendar, template, LATE) == planted_at_risk(plain, calendar, template, LATE)
    for name in ("guidance", "deliverables"):
        frame = getattr(messy, name)
        pd.testing.assert_frame_equal(good_rows(frame, messy.bad_rows[name]), getattr(plain, name))


# --- withdrawal -----------------------------------------------------------------------------------


def test_a_withdrawn_participant_leaves_no_evidence_after_withdrawing_and_is_never_at_risk(nips, calendar, template):
    ev = make_evidence(
        nips, calendar, template, seed=4, as_of=LATE, faults={"withdrawn": 1, **{k: 1 for k in FAULT_KINDS}}
    )
    (nip,) = ev.withdrawn
    left = ev.withdrawal_dates[nip]
    assert calendar.start_date < left <= calendar.end_date
    assert nip not in {f.nip for f in ev.faults}
    for frame in (ev.attendance, ev.guidance, ev.deliverables):
        dates = [day(t) for t in frame[frame["NIP"] == nip]["TANGGAL"]]
        assert all(d < left for d in dates)
    assert any(day(t) < left for t in ev.attendance[ev.attendance["NIP"] == nip]["TANGGAL"])
    on = calendar.start_date
    while on <= LATE:
        assert nip not in planted_at_risk(ev, calendar, template, on)
        on += 3 * DAY
