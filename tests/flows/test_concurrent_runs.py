"""Two operators trigger runs for the same cohort at once: the cohort lock serialises them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from schemas import tables as t
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def test_concurrent_openings_of_one_cohort_enrol_everyone_once_with_distinct_seats(settings, tmp_path: Path) -> None:
    people = make_roster(24, seed=9).frame
    first = write_table(people.iloc[:16], tmp_path / "first.csv")  # rows 9-16 are in both files
    second = write_table(people.iloc[8:], tmp_path / "second.csv")
    with ThreadPoolExecutor(max_workers=2) as pool:
        states = list(pool.map(lambda path: open_cohort(open_params(path), return_state=True), [first, second]))
    assert all(state.is_completed() for state in states)
    with services().unit_of_work() as session:
        seats = session.scalars(select(t.Enrolment.seat)).all()
        batches = session.scalar(select(func.count()).select_from(t.IngestBatch))
    assert sorted(seats) == list(range(1, 25))  # 24 people, each once, seats 1..24
    assert batches == 2


def test_eight_concurrent_ingests_of_one_cohort_write_each_row_once(settings, tmp_path: Path) -> None:
    """Eight operators (or eight inbox events) load evidence of one cohort at once: four copies of one file
    and four other files. Each row is written once, each file is one batch, and nothing fails."""
    from datetime import date, timedelta

    import pandas as pd

    from flows.ingest_evidence import ingest_evidence
    from schemas.params import IngestEvidence

    synth = make_roster(10, seed=12)
    start = date(2022, 7, 14)
    assert open_cohort(open_params(write_table(synth.frame, tmp_path / "r.csv")), return_state=True).is_completed()
    files = []
    for week in range(5):
        day = (start + timedelta(days=30 + 7 * week)).strftime("%d/%m/%Y")
        rows = [{"NIP": p.nip, "TANGGAL": day, "JENIS": "coaching", "TOPIK": f"minggu {week}"} for p in synth.people]
        files.append(str(write_table(pd.DataFrame(rows), tmp_path / f"guidance-{week}.csv")))
    runs = [files[0]] * 4 + files[1:]

    def ingest(path: str):  # noqa: ANN202
        params = IngestEvidence(
            program="PKP Kota Jambi 2022", cohort=1, kind="guidance", file=path, today=start + timedelta(70)
        )
        return ingest_evidence(params, return_state=True)

    with ThreadPoolExecutor(max_workers=8) as pool:
        states = list(pool.map(ingest, runs))
    assert all(state.is_completed() for state in states), [s.message for s in states]
    with services().unit_of_work() as session:
        logs = session.scalar(select(func.count()).select_from(t.GuidanceLog))
        batches = session.scalars(select(t.IngestBatch.file_name).where(t.IngestBatch.kind == "guidance")).all()
        audits = session.scalar(select(func.count()).select_from(t.AuditLog).where(t.AuditLog.entity == "guidance"))
    assert logs == 50  # 10 participants x 5 weeks, each once
    # A copy right after its own file finds it already processed; after another file it is a new batch
    # (an operator may return to an earlier file), which changes nothing here.
    assert set(batches) == {Path(f).name for f in files} and len(batches) <= len(runs)
    assert audits == 0  # nothing was ever corrected: no row was written twice
