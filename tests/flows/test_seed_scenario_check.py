"""The seed scenario's milestone check flags exactly the participants the generator made late or absent.

The expected outcome is this module's own reading of docs/milestone-rules.md applied to the faults the
generator planted (``planted_at_risk``), never the production rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.nip import mask_nip
from diklat.synth.evidence import make_evidence
from diklat.synth.roster import make_roster, write_table
from diklat.templates import resolve_template
from flows.check_milestones import check_milestones
from flows.ingest_evidence import ingest_evidence
from flows.open_cohort import open_cohort
from schemas.params import CheckMilestones, IngestEvidence
from tests.helpers import open_params
from tests.oracles import planted_at_risk

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

TEMPLATE = resolve_template("PKP")
COHORTS = {1: date(2022, 7, 14), 2: date(2022, 8, 22)}
EXPORTED = date(2022, 10, 20)  # the day the operator exported the evidence files
FAULTS = {"absent": 2, "late_deliverable": 1, "coaching_gap": 1, "revision_not_cleared": 1, "withdrawn": 1}
DAY = timedelta(days=1)


def test_the_check_flags_exactly_the_planted_faults_and_nobody_else(settings, tmp_path: Path) -> None:
    from diklat.bootstrap import services
    from diklat.store import actions
    from diklat.store.cohorts import find_cohort

    expected: dict[int, dict] = {}
    for number, start in COHORTS.items():
        synth = make_roster(30, seed=40 + number, today=start)
        assert open_cohort(
            open_params(write_table(synth.frame, tmp_path / f"r{number}.csv"), cohort=number, start=start),
            return_state=True,
        ).is_completed()
        calendar = build_calendar(TEMPLATE, start, days_off_for(TEMPLATE, start))
        evidence = make_evidence(
            [p.nip for p in synth.people], calendar, TEMPLATE, seed=number, as_of=EXPORTED, faults=FAULTS, bad_rows=2
        )
        for kind in ("attendance", "guidance", "deliverables"):
            path = write_table(getattr(evidence, kind), tmp_path / f"{kind}-{number}.xlsx")
            state = ingest_evidence(
                IngestEvidence(program="PKP Kota Jambi 2022", cohort=number, kind=kind, file=str(path), today=EXPORTED),
                return_state=True,
            )
            counts = state.result().counts
            assert counts.rows_quarantined == len(evidence.bad_rows[kind]), kind
            assert counts.rows_read == counts.rows_accepted + counts.rows_quarantined
        with services().unit_of_work() as session:
            ref = find_cohort(session, "PKP Kota Jambi 2022", number)
            for nip, on in evidence.withdrawal_dates.items():
                actions.withdraw(session, ref, nip, on, "mutasi", "operator")
        expected[number] = (evidence, calendar)

    for as_of in (date(2022, 8, 25), date(2022, 9, 20), EXPORTED):
        summary = check_milestones(CheckMilestones(as_of=as_of, notify=False))
        for check in summary.cohorts:
            number = int(check.label.rsplit(" ", 1)[1])
            evidence, calendar = expected[number]
            truth = {
                nip: reasons for nip, reasons in planted_at_risk(evidence, calendar, TEMPLATE, as_of).items() if reasons
            }
            flagged = {r["nip"]: set(r["reasons"]) for r in check.at_risk}
            assert flagged == {mask_nip(nip): reasons for nip, reasons in truth.items()}, (number, as_of)
            # withdrawn by then: a check dated before a withdrawal still counts (and checks) the participant
            assert check.withdrawn == sum(on <= as_of for on in evidence.withdrawal_dates.values())
    assert any(planted_at_risk(e, c, TEMPLATE, EXPORTED) for e, c in expected.values())
    dates = [on for e, _ in expected.values() for on in e.withdrawal_dates.values()]
    assert any(on > date(2022, 8, 25) for on in dates)  # some check above is dated before a withdrawal
