"""One current overview page per programme on the Artifacts page, refreshed by every run."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from prefect.artifacts import Artifact

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.synth.evidence import make_evidence
from diklat.synth.roster import make_roster, write_table
from diklat.templates import resolve_template
from flows.check_milestones import check_milestones
from flows.ingest_evidence import ingest_evidence
from flows.open_cohort import open_cohort
from schemas.params import CheckMilestones, IngestEvidence, OpenCohort
from tasks.overview import overview_key

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]
START = date(2022, 7, 14)


def _cohort_row(program: str) -> list[str]:
    """The overview's table row of cohort 1, as the Artifacts page shows it."""
    page = Artifact.get(overview_key(program))
    assert page is not None and page.description == f"Programme overview: {program}"
    [row] = [line for line in page.data.splitlines() if line.startswith("| 1 |")]
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_overview_counts_active_at_risk_quarantined_and_failed_runs_waiting(settings, tmp_path: Path) -> None:
    program = f"PKP Ikhtisar {uuid.uuid4().hex[:6]}"  # its own runs only, on the shared test server
    synth = make_roster(6, seed=8, faults=2, today=START)
    roster = write_table(synth.frame, tmp_path / "roster.csv")
    open_cohort(OpenCohort(program=program, cohort=1, start=START, roster=str(roster), today=START))
    # cohort, dates, status, active, withdrawn, at risk, passed, rows in quarantine, failed runs
    assert _cohort_row(program)[2:] == ["running", "4", "0", "0", "0", "2", "0"]

    bad = write_table(pd.DataFrame({"APA": ["x"]}), tmp_path / "presensi.csv")
    attendance = IngestEvidence(program=program, cohort=1, kind="attendance", file=str(bad), today=START)
    assert ingest_evidence(attendance, return_state=True).is_failed()
    assert _cohort_row(program)[-1] == "1"

    check_milestones(CheckMilestones(as_of=START + timedelta(days=60), program=program, notify=False))
    assert _cohort_row(program)[5] == "4"  # no design (rancangan) handed in: everyone is at risk

    template = resolve_template("PKP")
    calendar = build_calendar(template, START, days_off_for(template, START))
    evidence = make_evidence([p.nip for p in synth.people], calendar, template, seed=2, as_of=START, faults={})
    good = write_table(evidence.attendance, tmp_path / "presensi-ok.csv")
    fixed = ingest_evidence(attendance.model_copy(update={"file": str(good)}), return_state=True)
    assert fixed.is_completed(), fixed.message
    assert _cohort_row(program)[-1] == "0"  # the same step for the same cohort completed: nothing waits
