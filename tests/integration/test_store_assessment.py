"""The final assessment's store on its own (no flows), on SQLite and PostgreSQL: every write once per change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from diklat.db.uow import unit_of_work
from diklat.domain.results import Result
from diklat.store import cohorts
from diklat.store.actions import ActionRefused
from diklat.store.assessment import close_cohorts, find_cohorts, milestones_many, participants, participants_many
from diklat.store.certificates import issue_many, reserve_certificates_many, revoke_other_certificates, verify
from diklat.store.results import clear_deferral, save_results_changed
from diklat.store.scores import applied_sheets, load_scores_many, save_assessors, score_context
from diklat.templates import resolve_template
from schemas import tables as t
from tests.helpers import enrol_clean_roster

pytestmark = pytest.mark.integration

START = date(2022, 7, 14)
PROGRAM = "PKP Kota Jambi 2022"
TEMPLATE = resolve_template("PKP")
EXAMINER = "196501011990031001"


@pytest.fixture
def cohort(sessions, tmp_path: Path) -> tuple[cohorts.CohortRef, list[int], list[str]]:
    """An open cohort of 4 with its calendar: (ref, enrolment ids in seat order, their NIPs)."""
    from diklat.store.calendar import write_calendar

    with unit_of_work(sessions) as s:
        ref, _ = enrol_clean_roster(s, tmp_path, PROGRAM, START)
        write_calendar(s, ref)
        people = participants(s, ref.cohort_id)
    return ref, list(people["enrolment_id"]), list(people["nip"])


def result(enrolment_id: int, status: str, score: str | None, rank: int | None) -> Result:
    qualification = None if score is None else "Baik"
    return Result(enrolment_id, status, None if score is None else Decimal(score), qualification, rank, {"n": 1})


def audits(sessions, entity: str) -> int:  # noqa: ANN001
    with unit_of_work(sessions) as s:
        return s.scalar(select(func.count()).select_from(t.AuditLog).where(t.AuditLog.entity == entity))


def test_the_listed_cohorts_are_found_with_their_template_and_participants_in_seat_order(sessions, cohort) -> None:
    ref, enrolments, nips = cohort
    with unit_of_work(sessions) as s:
        assert find_cohorts(s, PROGRAM, [1, 2]) == {1: ref}
        assert find_cohorts(s, "another programme", [1]) == {}
        people = participants_many(s, [ref.cohort_id])
        milestones = milestones_many(s, [ref.cohort_id])
    assert list(people["enrolment_id"]) == enrolments and list(people["nip"]) == nips
    assert set(people["cohort_id"]) == {ref.cohort_id} and set(people["status"]) == {"active"}
    assert people["deferral_cleared_on"].isna().all()  # nobody graded yet
    assert {"seminar_akhir"} <= set(milestones["code"]) and set(milestones["required"]) <= {True, False}


def test_saving_the_same_results_twice_changes_nothing_the_second_time(sessions, cohort) -> None:
    _, enrolments, _ = cohort
    rows = [result(enrolments[0], "lulus", "87.50", 1), result(enrolments[1], "belum_lengkap", None, None)]
    sources = dict.fromkeys(enrolments, "nilai.csv (batch 1)")
    with unit_of_work(sessions) as s:
        assert save_results_changed(s, rows, "test", sources) == enrolments[:2]
    with unit_of_work(sessions) as s:
        assert save_results_changed(s, rows, "test", sources) == []
    assert audits(sessions, "result") == 2

    regraded = [result(enrolments[0], "lulus", "88.00", 1), rows[1]]
    with unit_of_work(sessions) as s:
        assert save_results_changed(s, regraded, "test", sources) == [enrolments[0]]
        audit = s.scalars(select(t.AuditLog).where(t.AuditLog.action == "regrade")).one()
        assert s.scalar(select(t.Result.final_score).where(t.Result.enrolment_id == enrolments[0])) == Decimal("88.00")
    assert audit.old_value["final_score"] == "87.50" and audit.new_value["final_score"] == "88.00"
    assert audit.source == "nilai.csv (batch 1)"


def test_certificate_numbers_are_reserved_once_in_seat_order_and_kept_on_a_rerun(sessions, cohort) -> None:
    ref, enrolments, _ = cohort
    with unit_of_work(sessions) as s:
        assert reserve_certificates_many(s, [(ref, [enrolments[0], enrolments[2]])], "KOTA") == {ref.cohort_id: 2}
    with unit_of_work(sessions) as s:
        assert reserve_certificates_many(s, [(ref, [enrolments[0], enrolments[2]])], "KOTA") == {ref.cohort_id: 0}
        # A later pass continues the cohort's sequence; the earlier numbers stay.
        assert reserve_certificates_many(s, [(ref, enrolments[:3])], {ref.cohort_id: "KOTA"}) == {ref.cohort_id: 1}
    with unit_of_work(sessions) as s:
        numbers = dict(s.execute(select(t.Certificate.enrolment_id, t.Certificate.number)).all())
        codes = s.scalars(select(t.Certificate.verification_code)).all()
    assert numbers == {
        enrolments[0]: "KOTA/1/001",
        enrolments[2]: "KOTA/1/002",
        enrolments[1]: "KOTA/1/003",
    }
    assert len(set(codes)) == 3


def test_a_cohort_opened_under_2019_1_keeps_numbering_as_2019_1_did(sessions, tmp_path: Path) -> None:
    """The number format changed in 2019.2 (no repeated code): cohorts opened before keep theirs."""
    with unit_of_work(sessions) as s:
        old, _ = enrol_clean_roster(s, tmp_path, "PKP Lama", START, template="PKP@2019.1")
        new, _ = enrol_clean_roster(s, tmp_path, "PKP Lama", START, number=2, seed=5)
        first = participants(s, old.cohort_id)["enrolment_id"].iloc[0]
        second = participants(s, new.cohort_id)["enrolment_id"].iloc[0]
        reserve_certificates_many(s, [(old, [int(first)]), (new, [int(second)])], "PKP-LAMA")
    with unit_of_work(sessions) as s:
        numbers = dict(s.execute(select(t.Certificate.enrolment_id, t.Certificate.number)).all())
    assert numbers == {first: "PKP/PKP-LAMA/1/001", second: "PKP-LAMA/2/001"}


def test_a_certificate_is_reissued_only_when_its_content_changes_or_after_a_revocation(sessions, cohort) -> None:
    ref, enrolments, _ = cohort
    first, later = date(2022, 10, 1), date(2022, 11, 1)
    e = enrolments[0]
    with unit_of_work(sessions) as s:
        reserve_certificates_many(s, [(ref, [e])], "KOTA")
        issued = issue_many(s, {e: "a" * 64}, first, "test")[e]
    assert (issued.version, issued.issued_on, issued.first_issue, issued.reissue) == (1, first, True, False)
    with unit_of_work(sessions) as s:
        again = issue_many(s, {e: "a" * 64}, later, "test")[e]
    assert (again.version, again.issued_on, again.first_issue, again.reissue) == (1, first, False, False)
    with unit_of_work(sessions) as s:
        changed = issue_many(s, {e: "b" * 64}, {e: later}, "test")[e]
    assert (changed.number, changed.version, changed.issued_on, changed.reissue) == (issued.number, 2, later, True)

    with unit_of_work(sessions) as s:
        assert revoke_other_certificates(s, [ref.cohort_id], [], "test") == 1
        assert revoke_other_certificates(s, [ref.cohort_id], [], "test") == 0  # already revoked
        found = verify(s, changed.verification_code.lower())
        first_paper = verify(s, f" {issued.verification_code[:8]}-{issued.verification_code[8:].lower()} ")
    assert found["number"] == issued.number and found["status"] == "revoked" and not found["valid"]
    # The first version's paper says it was replaced, by which version and when.
    assert (first_paper["status"], first_paper["version"], first_paper["replaced_on"]) == ("replaced", 1, "2022-11-01")
    with unit_of_work(sessions) as s:
        restored = issue_many(s, {e: "b" * 64}, later, "test")[e]
        assert verify(s, restored.verification_code)["status"] == "valid"
        assert verify(s, changed.verification_code)["status"] == "replaced"
        assert verify(s, "NO-SUCH-CODE") is None
    assert len({issued.verification_code, changed.verification_code, restored.verification_code}) == 3
    assert restored.version == 3 and restored.reissue
    assert audits(sessions, "certificate") == 4  # issue, reissue, revoke, reissue


def test_issuing_a_certificate_that_was_never_reserved_is_refused(sessions, cohort) -> None:
    _, enrolments, _ = cohort
    with pytest.raises(LookupError), unit_of_work(sessions) as s:
        issue_many(s, {enrolments[3]: "a" * 64}, START, "test")


def test_a_clearance_is_recorded_once_and_only_for_a_deferred_pass(sessions, cohort) -> None:
    ref, enrolments, nips = cohort
    rows = [result(enrolments[0], "lulus_tertunda", "87.50", 1), result(enrolments[1], "lulus", "80.00", 2)]
    with unit_of_work(sessions) as s:
        save_results_changed(s, rows, "test", dict.fromkeys(enrolments, "x"))
    on = date(2022, 11, 20)
    spaced = f"{nips[0][:8]} {nips[0][8:14]} {nips[0][14]} {nips[0][15:]}"  # as typed from the printed form
    with unit_of_work(sessions) as s:
        assert clear_deferral(s, ref, spaced, on, "revisi diterima", "operator") is True
    with unit_of_work(sessions) as s:
        assert clear_deferral(s, ref, nips[0], date(2022, 12, 1), "again", "operator") is False
        cleared = s.execute(
            select(t.Result.deferral_cleared_on, t.Result.deferral_cleared_reason).where(
                t.Result.enrolment_id == enrolments[0]
            )
        ).one()
        assert participants(s, ref.cohort_id)["deferral_cleared_on"].notna().tolist() == [True, False, False, False]
    assert tuple(cleared) == (on, "revisi diterima")
    assert audits(sessions, "result") == 3  # two grades and one clearance
    for nip in (nips[1], nips[2]):  # a pass, and a participant not graded at all
        with pytest.raises(ActionRefused) as refused, unit_of_work(sessions) as s:
            clear_deferral(s, ref, nip, on, "x", "operator")
        assert refused.value.code == "action.not_deferred"


def test_a_cohort_is_closed_once(sessions, cohort) -> None:
    ref, _, _ = cohort
    with unit_of_work(sessions) as s:
        assert close_cohorts(s, [ref.cohort_id], "test") == [ref.cohort_id]
    with unit_of_work(sessions) as s:
        assert close_cohorts(s, [ref.cohort_id], "test") == []
        assert s.get(t.Cohort, ref.cohort_id).status == "closed"
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count()).select_from(t.AuditLog).where(t.AuditLog.action == "close")) == 1


def test_examiners_are_registered_once_and_known_by_nip_or_name(sessions, cohort) -> None:
    ref, _, nips = cohort
    frame = pd.DataFrame({"nip": [EXAMINER, None], "name": ["Dr. Penguji", "Tanpa NIP"]})
    with unit_of_work(sessions) as s:
        assert save_assessors(s, ref, frame) == 1
        assert save_assessors(s, ref, frame.assign(name=["Dr. Penguji Baru", None])) == 1
        ctx = score_context(s, ref)
        assert s.scalar(select(func.count()).select_from(t.Assessor)) == 1
    assert ctx.participants == frozenset(nips)
    assert ctx.assessors[EXAMINER] == EXAMINER and ctx.assessors["dr. penguji baru"] == EXAMINER
    assert "dr. penguji" not in ctx.assessors
    assert ctx.components["substansi"] == "substansi"


def test_no_scores_and_no_applied_sheet_before_any_sheet_is_saved(sessions, cohort) -> None:
    ref, _, _ = cohort
    with unit_of_work(sessions) as s:
        assert load_scores_many(s, [ref.cohort_id]).empty
        assert applied_sheets(s, {ref.cohort_id: (ref.scope, "0" * 64)}) == {}
