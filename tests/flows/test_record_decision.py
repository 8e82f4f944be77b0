"""record-decision on a Prefect test server: withdraw, waive, move a due date; audited, idempotent, refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.domain.nip import mask_nip
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from flows.record_decision import record_decision
from schemas import tables as t
from schemas.params import RecordDecision
from tests.helpers import open_params
from tests.prepared import Prepared

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"


@pytest.fixture
def nips(settings, prepared: Prepared, tmp_path: Path) -> list[str]:
    """A cohort of 4 opened on 14 July 2022 (through the flow once per backend, then restored)."""

    def build() -> list[str]:
        synth = make_roster(4, seed=31, today=date(2022, 7, 14))
        roster = write_table(synth.frame, tmp_path / "roster.csv")
        assert open_cohort(open_params(roster), return_state=True).is_completed()
        return [p.nip for p in synth.people]

    return prepared.restore_or_build(settings, "cohort", build)


def decide(**fields: object):  # noqa: ANN201
    return record_decision(RecordDecision(program=PROGRAM, cohort=1, reason="agreed", **fields), return_state=True)


def audit_actions() -> list[str]:
    with services().unit_of_work() as session:
        return list(session.scalars(select(t.AuditLog.action).where(t.AuditLog.actor == "operator")))


def test_a_withdrawal_is_recorded_once_and_audited(nips) -> None:
    first = decide(decision="withdraw", participant=mask_nip(nips[1]), on=date(2022, 8, 1))
    again = decide(decision="withdraw", participant="2", on=date(2022, 8, 1))  # the same person by seat

    assert first.is_completed() and first.result() is True
    assert again.is_completed() and again.result() is False
    with services().unit_of_work() as session:
        row = session.scalars(select(t.Enrolment).where(t.Enrolment.nip == nips[1])).one()
        assert (row.status, row.withdrawn_on, row.withdrawn_reason) == ("withdrawn", date(2022, 8, 1), "agreed")
    assert audit_actions() == ["withdraw"]


def test_a_waiver_is_recorded_once_for_one_participant(nips) -> None:
    assert decide(decision="waive", participant="1", milestone="rancangan", on=date(2022, 8, 13)).result() is True
    again = decide(decision="waive", participant=mask_nip(nips[0]), milestone="rancangan", on=date(2022, 8, 13))
    assert again.result() is False
    with services().unit_of_work() as session:
        waived = session.execute(
            select(t.Enrolment.nip, t.MilestoneStatus.status, t.MilestoneStatus.as_of).join(t.Enrolment)
        ).all()
    assert waived == [(nips[0], "waived", date(2022, 8, 13))]
    assert audit_actions() == ["waive"]


def test_a_moved_due_date_keeps_the_original(nips) -> None:
    assert decide(decision="move_milestone", milestone="rancangan", to=date(2022, 8, 18)).result() is True
    assert decide(decision="move_milestone", milestone="rancangan", to=date(2022, 8, 18)).result() is False
    with services().unit_of_work() as session:
        due, original = session.execute(
            select(t.Milestone.due_date, t.Milestone.original_due_date).where(t.Milestone.code == "rancangan")
        ).one()
    assert due == date(2022, 8, 18) and original != due
    assert audit_actions() == ["move"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"decision": "withdraw", "participant": "198001**********01"}, "No participant of"),
        ({"decision": "waive", "participant": "9", "milestone": "nope"}, "No participant of"),
        ({"decision": "move_milestone", "milestone": "nope", "to": date(2022, 8, 1)}, "There is no milestone 'nope'"),
        ({"decision": "move_milestone", "milestone": "rancangan", "to": date(2023, 1, 1)}, "is outside the cohort"),
        ({"decision": "withdraw", "participant": "1", "cohort": 9}, "There is no cohort 9 in programme"),
    ],
    ids=["not a participant", "waive for a stranger", "unknown milestone", "date outside", "unknown cohort"],
)
def test_a_refused_decision_fails_with_the_reason_and_changes_nothing(nips, fields: dict, words: str) -> None:
    fields = {"program": PROGRAM, "cohort": 1, "reason": "agreed", **fields}
    state = record_decision(RecordDecision(**fields), return_state=True)

    assert state.is_failed() and words in state.message, state.message
    assert audit_actions() == []


def test_a_full_nip_is_refused_by_the_form_so_it_never_reaches_the_run_parameters() -> None:
    with pytest.raises(ValidationError, match="participant"):
        RecordDecision(
            program=PROGRAM, cohort=1, reason="mutasi", decision="withdraw", participant="198001012005011001"
        )


def test_a_decision_without_what_it_needs_is_a_parameter_error() -> None:
    with pytest.raises(ValidationError, match="move_milestone needs milestone, to"):
        RecordDecision(program=PROGRAM, cohort=1, reason="jadwal seminar", decision="move_milestone")
