"""The seed scenario's milestone check flags exactly the participants the generator made late or absent.

The expected outcome is this module's own reading of docs/milestone-rules.md applied to the faults the
generator planted (``planted_at_risk``), never the production rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
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

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

TEMPLATE = resolve_template("PKP")
COHORTS = {1: date(2022, 7, 14), 2: date(2022, 8, 22)}
EXPORTED = date(2022, 10, 20)  # the day the operator exported the evidence files
FAULTS = {"absent": 2, "late_deliverable": 1, "coaching_gap": 1, "revision_not_cleared": 1, "withdrawn": 1}
DAY = timedelta(days=1)


def planted_at_risk(evidence, calendar, template, as_of: date) -> dict[str, set[str]]:  # noqa: ANN001
    """NIP -> the at-risk reasons docs/milestone-rules.md gives each planted fault as of ``as_of``."""
    out: dict[str, set[str]] = {}
    for fault in evidence.faults:
        reason = _planted_reason(fault, calendar, template, as_of)
        if reason and fault.nip not in evidence.withdrawn:
            out.setdefault(fault.nip, set()).add(reason)
    return out


def _planted_reason(fault, calendar, template, as_of: date) -> str | None:  # noqa: ANN001
    if fault.fault == "absent":  # best reachable attendance below the minimum
        total = sum(s.jp for s in calendar.sessions)
        lost = sum(s.jp for s in calendar.sessions if s.date in fault.dates and s.date <= as_of)
        short = Decimal(total - lost) * 100 < Decimal(str(template.attendance_minimum_percent)) * total
        return "attendance.unreachable" if short else None
    if fault.fault == "coaching_gap":  # a stretch too long while it lasts; the coaching milestone once due
        gap_start, gap_end = fault.dates
        work = calendar.phase("aktualisasi")
        coaching = next(m for m in calendar.milestones if m.kind == "coaching")
        open_gap = work.first_day <= as_of <= work.last_day and gap_start <= as_of < gap_end
        too_long = open_gap and (as_of - gap_start).days > template.coaching.max_gap_days
        return "guidance.gap" if coaching.due_date <= as_of or too_long else None
    m = next(m for m in calendar.milestones if m.rule.get("stage") == fault.stage)
    if as_of <= m.due_date:
        return None
    if fault.fault == "late_deliverable":
        return "deliverable.late" if fault.dates[0] <= as_of else "deliverable.missing"
    if fault.fault == "revision_not_cleared":
        return "deliverable.revision_overdue" if as_of > m.due_date + m.rule["revision_days"] * DAY else None
    return {"missing_deliverable": "deliverable.missing", "rejected_deliverable": "deliverable.rejected"}[fault.fault]


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
            assert check.withdrawn == len(evidence.withdrawn)
    assert any(planted_at_risk(e, c, TEMPLATE, EXPORTED) for e, c in expected.values())
