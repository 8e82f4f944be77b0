"""open-cohorts (a whole intake from a cohort list) against open-cohort run once per cohort."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.db.migrate import downgrade, upgrade
from diklat.synth.manifest import write_manifest
from diklat.synth.roster import coaches_frame, make_roster, write_table
from flows.open_cohort import open_cohort
from flows.open_cohorts import open_cohorts
from schemas import tables as t
from schemas.params import OpenCohort, OpenCohorts
from tests.helpers import run_artifacts, snapshot, task_run_count

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Provinsi Jambi 2022"
START = date(2022, 7, 14)


def _intake(folder: Path, cohorts: int) -> list[dict]:
    """Cohort files with faults; cohort 3 also lists an official already listed for cohort 1; the shared
    coaches list has one NIP typed with spaces and one that lost digits."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = coaches_frame(5, seed=2)
    first = listed.loc[0, "NIP"]
    listed.loc[0, "NIP"] = f"{first[:8]} {first[8:14]} {first[14]} {first[15:]}"
    listed.loc[4, "NIP"] = listed.loc[4, "NIP"][:16]
    coaches = write_table(listed, folder / "coaches.csv")
    frames = {n: make_roster(30, seed=100 + n, today=START, faults=n % 3).frame for n in range(1, cohorts + 1)}
    if cohorts >= 3:
        frames[3].iloc[7] = frames[1].iloc[0]
    rows = []
    for n, frame in frames.items():
        roster = write_table(frame, folder / f"angkatan-{n}.csv")
        rows.append({"cohort": n, "start": START, "roster": roster, "coaches": coaches})
    return rows


def _state() -> dict[str, list]:
    """What an operator relies on, free of generated ids and times."""
    with services().unit_of_work() as session:
        number = dict(session.execute(select(t.Cohort.id, t.Cohort.number)).all())
        scope = {f"cohort:{cid}": n for cid, n in number.items()}
        return {
            "enrolments": sorted(
                (number[c], nip, seat, status)
                for c, nip, seat, status in session.execute(
                    select(t.Enrolment.cohort_id, t.Enrolment.nip, t.Enrolment.seat, t.Enrolment.status)
                )
            ),
            "quarantine": sorted(
                (scope[s], row, sorted((r["code"], r["column"]) for r in reasons), status)
                for s, row, reasons, status in session.execute(
                    select(
                        t.QuarantinedRow.scope,
                        t.QuarantinedRow.row_number,
                        t.QuarantinedRow.reasons,
                        t.QuarantinedRow.status,
                    )
                )
            ),
            "guides": sorted(
                (number[c], nip, role, person)
                for c, nip, role, person in session.execute(
                    select(t.Enrolment.cohort_id, t.Enrolment.nip, t.Assignment.role, t.Assignment.person_nip).join(
                        t.Assignment
                    )
                )
            ),
            "sessions": sorted(
                (number[c], code, d)
                for c, code, d in session.execute(select(t.Session.cohort_id, t.Session.code, t.Session.date))
            ),
            "milestones": sorted(
                (number[c], code, d)
                for c, code, d in session.execute(select(t.Milestone.cohort_id, t.Milestone.code, t.Milestone.due_date))
            ),
            "employees": sorted(session.execute(select(t.Employee.nip, t.Employee.name, t.Employee.golongan)).all()),
        }


def test_an_intake_opens_as_if_each_cohort_were_opened_alone_and_a_rerun_changes_nothing(
    settings, tmp_path: Path
) -> None:
    rows = _intake(tmp_path / "intake", 4)
    manifest = write_manifest(rows, tmp_path / "intake" / "daftar-angkatan.csv")

    state = open_cohorts(OpenCohorts(program=PROGRAM, manifest=str(manifest), today=START), return_state=True)
    assert state.is_completed(), state.message
    summary = state.result()
    assert [c.ref.number for c in summary.opened] == [1, 2, 3, 4]
    assert summary.rows_read == 120 == summary.rows_accepted + summary.rows_quarantined
    batch = _state()
    with services().unit_of_work() as session:  # the shared coaches list's bad row, quarantined for each cohort
        held_coaches = session.scalars(select(t.QuarantinedRow.row_number).where(t.QuarantinedRow.kind == "coaches"))
        assert sorted(held_coaches) == [6] * len(rows)
        assert len(set(session.scalars(select(t.Assignment.person_nip).where(t.Assignment.role == "coach")))) == 4
    # ... and each cohort gets its own file to fix that row in, with the operator's columns and the reason.
    files = sorted(services().settings.outputs.rglob("coaches-rejected-batch-*.xlsx"))
    assert len(files) == len(rows)
    for path in files:
        rejected = pd.read_excel(path, dtype=str)
        assert len(rejected) == 1 and "ID KARANTINA" in rejected.columns and rejected.iloc[0, -1]
    # The official listed twice stays in cohort 1; cohort 3's row 9 (file row) is quarantined for it.
    assert (3, 9, [("enrolment.in_running_cohort", "nip")], "open") in batch["quarantine"]
    shown = run_artifacts(state.state_details.flow_run_id)
    assert set(shown) == {
        "intake-pkp-provinsi-jambi-2022-cohorts",
        "intake-pkp-provinsi-jambi-2022-quarantine",
        "intake-pkp-provinsi-jambi-2022-summary",
        "ikhtisar-pkp-provinsi-jambi-2022",  # the programme overview, refreshed after every run
    }
    assert len(json.loads(shown["intake-pkp-provinsi-jambi-2022-quarantine"])) == summary.rows_quarantined
    assert not any(nip in text for nip, *_ in batch["employees"] for text in shown.values())  # NIPs masked
    assert len(summary.rejected_files) == sum(1 for c in summary.opened if c.counts.rows_quarantined)

    before = snapshot(settings.sqlalchemy_url)
    again = open_cohorts(OpenCohorts(program=PROGRAM, manifest=str(manifest), today=START), return_state=True)
    assert again.is_completed()
    assert all(c.counts.already_processed for c in again.result().opened)
    assert snapshot(settings.sqlalchemy_url) == before

    downgrade(settings.sqlalchemy_url)
    upgrade(settings.sqlalchemy_url)
    for row in rows:
        single = OpenCohort(
            program=PROGRAM,
            cohort=row["cohort"],
            start=START,
            roster=str(row["roster"]),
            coaches=str(row["coaches"]),
            today=START,
        )
        assert open_cohort(single, return_state=True).is_completed()
    assert _state() == batch


def test_a_cohort_whose_file_cannot_be_read_is_held_back_and_the_others_open(sqlite_settings, tmp_path: Path) -> None:
    rows = _intake(tmp_path / "intake", 2)
    rows.append({"cohort": 7, "start": START, "roster": tmp_path / "intake" / "missing.csv"})
    manifest = write_manifest(rows, tmp_path / "intake" / "daftar-angkatan.csv")

    state = open_cohorts(OpenCohorts(program=PROGRAM, manifest=str(manifest), today=START), return_state=True)

    assert state.is_failed()
    assert "held back: 1 cohort (7)" in state.message
    with services().unit_of_work() as session:
        numbers = sorted(session.scalars(select(t.Cohort.number)))
    assert numbers == [1, 2]  # the held-back cohort was not even created


def test_a_bad_row_in_the_cohort_list_stops_the_run_naming_row_and_column(sqlite_settings, tmp_path: Path) -> None:
    rows = _intake(tmp_path / "intake", 2)
    rows[1]["start"] = "31/02/2022"
    manifest = write_manifest(rows, tmp_path / "intake" / "daftar-angkatan.csv")

    state = open_cohorts(OpenCohorts(program=PROGRAM, manifest=str(manifest), today=START), return_state=True)

    assert state.is_failed()
    assert state.message.startswith("Row 3 of the cohort list daftar-angkatan.csv: TANGGAL MULAI '31/02/2022'")
    with services().unit_of_work() as session:
        assert session.scalars(select(t.Cohort.number)).all() == []


def test_task_runs_do_not_grow_with_cohorts_in_a_chunk(sqlite_settings, tmp_path: Path) -> None:
    counts = []
    for size, program in ((1, "A"), (5, "B")):
        rows = _intake(tmp_path / program, size)
        for row in rows:
            row["roster"].write_text(row["roster"].read_text())
        manifest = write_manifest(rows, tmp_path / program / "daftar.csv")
        params = OpenCohorts(program=program, manifest=str(manifest), today=START)
        state = open_cohorts(params, return_state=True)
        counts.append(task_run_count(state.state_details.flow_run_id))
    assert counts[0] == counts[1]
