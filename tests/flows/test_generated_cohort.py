"""`diklat generate cohort`: every file the flows read, recognised by the inbox and gated as planted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.inbox import COHORT_KINDS
from diklat.io.kinds import recognise_file
from diklat.synth.cohort_files import write_cohort_files
from diklat.templates import resolve_template
from flows.final_assessment import final_assessment
from flows.ingest_evidence import ingest_evidence
from flows.open_cohort import open_cohort
from schemas import tables as t
from schemas.params import FinalAssessment, IngestEvidence
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

START = date(2022, 7, 14)
PROGRAM = "PKP Kota Jambi 2022"


def test_every_generated_file_is_recognised_and_loads_with_exactly_its_bad_rows_quarantined(
    sqlite_settings, tmp_path: Path
) -> None:
    written = {w.kind: w for w in write_cohort_files(tmp_path / "gen", resolve_template("PKP"), 12, 2, seed=3)}
    for kind in ("roster", "coaches", "assessors", "attendance", "guidance", "deliverables", "scores", "responses"):
        assert recognise_file(written[kind].path, COHORT_KINDS).kind == kind, kind

    opened = open_cohort(
        open_params(written["roster"].path, coaches=str(written["coaches"].path)), return_state=True
    ).result()
    assert (opened.counts.rows_quarantined, opened.coaches.rows_quarantined) == (2, 2)

    for kind in ("attendance", "guidance", "deliverables"):
        params = IngestEvidence(
            program=PROGRAM, cohort=1, kind=kind, file=str(written[kind].path), today=date(2022, 11, 30)
        )
        summary = ingest_evidence(params, return_state=True).result()
        assert summary.counts.rows_quarantined == written[kind].bad_rows, kind

    graded = final_assessment(
        FinalAssessment(
            program=PROGRAM, cohort=1, scores=str(written["scores"].path), assessors=str(written["assessors"].path)
        ),
        return_state=True,
    ).result()
    assert graded.counts.rows_quarantined == 2
    with services().unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(t.Result)) == 10  # twelve rows, two planted faults

    params = IngestEvidence(
        program=PROGRAM, cohort=1, kind="responses", file=str(written["responses"].path), today=date(2023, 2, 1)
    )
    answers = ingest_evidence(params, return_state=True).result().counts
    assert answers.rows_quarantined == written["responses"].bad_rows == 2
