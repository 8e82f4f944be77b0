"""The opening store on its own (no flows), on SQLite and PostgreSQL: every write can be repeated safely."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from diklat.db.uow import unit_of_work
from diklat.domain.nip import normalize_nip, parse_nip
from diklat.gate.roster import gate_roster
from diklat.gate.suites import RosterRules
from diklat.io.read import read_table
from diklat.store import cohorts, guides
from diklat.store.batches import batch_quarantine
from diklat.store.calendar import write_calendar
from diklat.store.roster import save_roster
from diklat.synth.faults import HEADER
from diklat.synth.roster import make_roster, write_table
from diklat.templates import resolve_template
from schemas import tables as t
from schemas.files import ROSTER
from tests.helpers import counts, snapshot

pytestmark = pytest.mark.integration

START = date(2022, 7, 14)
PROGRAM = "PKP Kota Jambi 2022"
TEMPLATE = resolve_template("PKP")


def roster(tmp_path: Path, n: int = 8, seed: int = 3):  # noqa: ANN201
    """A roster file as the gate reads it, and the synthetic roster behind it."""
    synth = make_roster(n, seed=seed, today=START)
    return read_table(write_table(synth.frame, tmp_path / f"roster-{seed}.csv"), ROSTER), synth


def gated_for(session, ref: cohorts.CohortRef, table):  # noqa: ANN001, ANN201
    rules = RosterRules(
        TEMPLATE.minimum_golongan,
        TEMPLATE.capacity,
        cohorts.enrolled_nips(session, ref.cohort_id),
        cohorts.running_enrolments_elsewhere(session, ref.cohort_id),
    )
    return gate_roster(table.frame, rules, START)


def test_ensure_cohorts_opens_each_cohort_once_and_refuses_another_start_date(sessions, db_url: str) -> None:
    with unit_of_work(sessions) as s:
        first, refused = cohorts.ensure_cohorts(s, PROGRAM, [(1, START), (2, date(2022, 8, 22))], TEMPLATE, "test")
    assert sorted(first) == [1, 2] and refused == {}
    before = snapshot(db_url)
    with unit_of_work(sessions) as s:
        again, refused = cohorts.ensure_cohorts(s, PROGRAM, [(1, START), (2, date(2022, 9, 1))], TEMPLATE, "test")
    assert again[1].cohort_id == first[1].cohort_id and again[1].label == "PKP Kota Jambi 2022 / Angkatan 1"
    assert list(refused) == [2] and 2 not in again
    assert snapshot(db_url) == before


def test_saving_the_same_roster_twice_changes_nothing(sessions, db_url: str, tmp_path: Path) -> None:
    table, synth = roster(tmp_path)
    with unit_of_work(sessions) as s:
        ref = cohorts.ensure_cohort(s, PROGRAM, 1, START, TEMPLATE, "test")
        gated = gated_for(s, ref, table)
        first = save_roster(s, gated, ref, table.file_name, table.sha256, "test")
    assert first.rows_read == len(synth.frame) == first.rows_accepted + first.rows_quarantined
    assert not first.already_processed
    with unit_of_work(sessions) as s:
        assert cohorts.enrolled_nips(s, ref.cohort_id) == frozenset(gated.accepted["nip"])
        assert len(batch_quarantine(s, first.batch_id)) == first.rows_quarantined
    before = snapshot(db_url)
    with unit_of_work(sessions) as s:
        again = save_roster(s, gated_for(s, ref, table), ref, table.file_name, table.sha256, "test")
    assert again.already_processed and again.batch_id == first.batch_id
    assert snapshot(db_url) == before


def test_a_corrected_roster_updates_only_the_changed_officials_and_audits_each_change(
    sessions, db_url: str, tmp_path: Path
) -> None:
    table, synth = roster(tmp_path, n=6, seed=11)
    with unit_of_work(sessions) as s:
        ref = cohorts.ensure_cohort(s, PROGRAM, 1, START, TEMPLATE, "test")
        first = save_roster(s, gated_for(s, ref, table), ref, table.file_name, table.sha256, "test")
        accepted = sorted(s.scalars(select(t.Employee.nip)))
    assert first.rows_accepted == len(accepted) >= 2
    nip_col, position_col, email_col = HEADER["nip"], HEADER["position"], HEADER["email"]
    fixed = synth.frame.copy()
    changed_nip = accepted[0]
    row = fixed.index[fixed[nip_col].map(normalize_nip) == changed_nip][0]
    fixed.loc[row, position_col] = "Kepala Subbagian Perencanaan"
    fixed.loc[row, email_col] = ""  # cleared: stored as nothing, not as an empty text
    corrected = read_table(write_table(fixed, tmp_path / "roster-fixed.csv"), ROSTER)
    with unit_of_work(sessions) as s:
        again = save_roster(s, gated_for(s, ref, corrected), ref, corrected.file_name, corrected.sha256, "test")
        employees = {e.nip: e for e in s.scalars(select(t.Employee))}
        updates = s.scalars(select(t.AuditLog).where(t.AuditLog.action == "update")).all()
    assert again.rows_unchanged == first.rows_accepted - 1 and again.rows_accepted == first.rows_accepted
    [audit] = updates
    assert audit.entity == "employee" and audit.entity_key == changed_nip
    assert set(audit.new_value) == {"position", "email"} and audit.new_value["email"] is None
    assert audit.new_value["position"] == "Kepala Subbagian Perencanaan" and audit.old_value["email"]
    assert audit.source.startswith("roster-fixed.csv (batch ")
    assert employees[changed_nip].position == "Kepala Subbagian Perencanaan" and employees[changed_nip].email is None
    for nip, employee in employees.items():  # decoded from the NIP for the whole column
        parts = parse_nip(nip)
        assert (employee.gender, employee.birth_date) == (parts.gender, parts.birth_date)


def test_guides_and_calendar_written_twice_are_written_once(sessions, db_url: str, tmp_path: Path) -> None:
    table, _ = roster(tmp_path, n=6, seed=5)
    with unit_of_work(sessions) as s:
        ref = cohorts.ensure_cohort(s, PROGRAM, 1, START, TEMPLATE, "test")
        gated = gated_for(s, ref, table)
        save_roster(s, gated, ref, table.file_name, table.sha256, "test")
    superiors = dict(zip(gated.accepted["nip"], gated.accepted["superior_nip"], strict=True))
    with unit_of_work(sessions) as s:
        first = guides.save_guides(s, ref, superiors, None, "test")
        sessions_, milestones, end = write_calendar(s, ref)
    assert first.participants == len(gated.accepted) and first.without_coach == first.participants
    assert sessions_ > 0 and milestones > 0 and end > START
    before = counts(db_url)
    with unit_of_work(sessions) as s:
        assert guides.save_guides(s, ref, superiors, None, "test") == first
        assert write_calendar(s, ref) == (sessions_, milestones, end)
    assert counts(db_url) == before


def test_enrolments_in_a_running_cohort_are_seen_from_another_one(sessions, tmp_path: Path) -> None:
    table, _ = roster(tmp_path, n=5, seed=7)
    with unit_of_work(sessions) as s:
        one = cohorts.ensure_cohort(s, PROGRAM, 1, START, TEMPLATE, "test")
        two = cohorts.ensure_cohort(s, PROGRAM, 2, date(2022, 8, 22), TEMPLATE, "test")
        gated = gated_for(s, one, table)
        save_roster(s, gated, one, table.file_name, table.sha256, "test")
    with unit_of_work(sessions) as s:
        elsewhere = cohorts.running_enrolments_elsewhere(s, two.cohort_id)
        assert set(elsewhere) == set(gated.accepted["nip"])
        assert set(elsewhere.values()) == {one.label}
        assert cohorts.running_enrolments_elsewhere(s, one.cohort_id) == {}
        assert cohorts.enrolled_nips_many(s, [one.cohort_id, two.cohort_id])[two.cohort_id] == frozenset()


@pytest.mark.parametrize(("column", "header"), [("name", "NAMA"), ("unit", "UNIT KERJA"), ("email", "EMAIL")])
def test_a_value_at_the_stored_length_is_saved_and_one_character_more_is_quarantined(
    sessions, db_url: str, tmp_path: Path, column: str, header: str
) -> None:
    """Every backend: PostgreSQL would refuse the whole file on an over-long value, SQLite would store it."""
    from schemas.limits import STORED_LENGTHS

    limit = STORED_LENGTHS["roster"][column]
    synth = make_roster(3, seed=11, today=START)
    frame = synth.frame.copy()
    if header not in frame.columns:
        frame[header] = None
    fill = "a" * (limit - len("@x.id")) + "@x.id" if column == "email" else "A" * limit
    frame.loc[0, header] = fill  # exactly at the limit
    frame.loc[1, header] = fill + "a"  # one character over
    table = read_table(write_table(frame, tmp_path / "long.csv"), ROSTER)
    with unit_of_work(sessions) as s:
        ref = cohorts.ensure_cohort(s, PROGRAM, 1, START, TEMPLATE, "test")
        gated = gated_for(s, ref, table)
        counts_ = save_roster(s, gated, ref, table.file_name, table.sha256, "test")
    assert (counts_.rows_read, counts_.rows_accepted, counts_.rows_quarantined) == (3, 2, 1)
    [reasons] = gated.quarantined["problems"].tolist()
    assert [(p.code, p.column, p.params["length"], p.params["max"]) for p in reasons] == [
        ("value.too_long", column, limit + 1, limit)
    ]
