"""assess-cohorts on a Prefect test server: the same results as one cohort at a time, flat task counts."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.names import slug
from diklat.gate.evidence import gate_evidence
from diklat.io.read import read_table
from diklat.settings import get_settings
from diklat.store import actions
from diklat.store.cohorts import find_cohort
from diklat.store.evidence import evidence_context, save_evidence
from diklat.synth.evidence import make_evidence
from diklat.synth.roster import coaches_frame, make_roster, write_table
from diklat.synth.scores import make_scores
from diklat.templates import resolve_template
from flows.assess_cohorts import assess_cohorts
from flows.final_assessment import final_assessment
from flows.open_cohort import open_cohort
from schemas import tables as t
from schemas.files import SPECS
from schemas.params import AssessCohorts, FinalAssessment
from tasks.overview import overview_key
from tests.helpers import open_params, snapshot, task_run_count

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"
TEMPLATE = resolve_template("PKP")
# Cohorts 1 and 2 end on the same day (one progress computation), cohort 3 later.
STARTS = {1: date(2022, 7, 14), 2: date(2022, 7, 14), 3: date(2022, 8, 22)}
SIZE = 6


def build(folder: Path) -> dict[int, dict]:
    """Three cohorts through their whole course (a withdrawal, a late deliverable, a deferred pass)."""
    folder.mkdir(parents=True, exist_ok=True)
    built = {}
    for n, start in STARTS.items():
        synth = make_roster(SIZE, seed=40 + n, today=start)
        coaches = coaches_frame(2, seed=n)
        state = open_cohort(
            open_params(
                write_table(synth.frame, folder / f"roster-{n}.csv"),
                cohort=n,
                start=start,
                coaches=str(write_table(coaches, folder / f"coaches-{n}.csv")),
            ),
            return_state=True,
        )
        assert state.is_completed(), state.message
        calendar = build_calendar(TEMPLATE, start, days_off_for(TEMPLATE, start))
        nips = [p.nip for p in synth.people]
        faults = {"withdrawn": 1, "late_deliverable": 1}
        evidence = make_evidence(nips, calendar, TEMPLATE, seed=n, as_of=calendar.end_date, faults=faults)
        deliverables = evidence.deliverables
        if n == 1:  # the last participant's final seminar asks for a revision that is still owed
            owes = [x for x in nips if x not in evidence.withdrawn][-1]
            seminar = (deliverables["NIP"] == owes) & (deliverables["TAHAP"] == "seminar_akhir")
            due = next(m.due_date for m in calendar.milestones if m.code == "seminar_akhir")
            revision = {"NIP": owes, "TAHAP": "seminar_akhir", "TANGGAL": due.strftime("%d/%m/%Y"), "HASIL": "revisi"}
            deliverables = pd.concat([deliverables[~seminar], pd.DataFrame([revision])])
        with services().unit_of_work() as session:
            cohort = find_cohort(session, PROGRAM, n)
            ctx = evidence_context(session, cohort)
            for kind, frame in (
                ("attendance", evidence.attendance),
                ("guidance", evidence.guidance),
                ("deliverables", deliverables),
            ):
                table = read_table(write_table(frame, folder / f"{kind}-{n}.csv"), SPECS[kind])
                gated = gate_evidence(kind, table.frame, ctx, calendar.end_date)
                save_evidence(session, gated, cohort, table.file_name, table.sha256, "test")
            for nip, day in evidence.withdrawal_dates.items():
                actions.withdraw(session, cohort, nip, day, "sakit", "operator")
        active = [x for x in nips if x not in evidence.withdrawn]
        scores = make_scores(active, list(coaches["NIP"]), TEMPLATE.assessment, seed=n)
        built[n] = {"nips": nips, "scores": write_table(scores.frame, folder / f"nilai-{n}.csv")}
    return built


def cohorts(prepared, settings, folder: Path) -> dict[int, dict]:  # noqa: ANN001
    """build()'s three cohorts: built once per backend, restored for every later use (tests/prepared.py);
    their files (rosters, evidence, score sheets) copied into ``folder``."""
    inputs = Path(settings.data_dir) / "inputs"  # in the data folder, so it is saved and restored with it
    built = prepared.restore_or_build(settings, "three-cohorts", lambda: build(inputs))
    folder.mkdir(parents=True, exist_ok=True)
    for path in inputs.iterdir():
        shutil.copy2(path, folder / path.name)
    return {n: {**info, "scores": str(folder / Path(info["scores"]).name)} for n, info in built.items()}


def manifest(folder: Path, rows: list[tuple[int, str]], name: str = "angkatan.csv") -> str:
    frame = pd.DataFrame([{"ANGKATAN": str(n), "BERKAS NILAI": path} for n, path in rows])
    return str(write_table(frame, folder / name))


def outcomes() -> dict[str, tuple]:
    """Every participant's result and certificate, by NIP (verification codes are random by design)."""
    with services().unit_of_work() as session:
        rows = session.execute(
            select(
                t.Enrolment.nip,
                t.Result.status,
                t.Result.final_score,
                t.Result.qualification,
                t.Result.rank,
                t.Result.explanation,
                t.Certificate.number,
                t.Certificate.version,
                t.Certificate.issued_on,
                t.Certificate.revoked,
            )
            .outerjoin(t.Result, t.Result.enrolment_id == t.Enrolment.id)
            .outerjoin(t.Certificate, t.Certificate.enrolment_id == t.Enrolment.id)
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def task_runs(state) -> int:  # noqa: ANN001
    return task_run_count(state.state_details.flow_run_id)


def test_a_batch_grades_exactly_as_one_cohort_at_a_time_and_a_second_run_changes_nothing(
    settings, prepared, tmp_path: Path
) -> None:
    url = settings.sqlalchemy_url
    built = cohorts(prepared, settings, tmp_path / "one")
    for n in STARTS:
        state = final_assessment(
            FinalAssessment(program=PROGRAM, cohort=n, scores=str(built[n]["scores"])), return_state=True
        )
        assert state.is_completed(), state.message
    one_by_one = outcomes()

    built = cohorts(prepared, settings, tmp_path / "batch")  # the same three cohorts again, none graded
    rows = [(n, Path(built[n]["scores"]).name) for n in STARTS]
    state = assess_cohorts(
        AssessCohorts(program=PROGRAM, manifest=manifest(tmp_path / "batch", rows)), return_state=True
    )
    assert state.is_completed(), state.message
    summary = state.result()
    assert [c.ref.number for c in summary.assessed] == [1, 2, 3] and not summary.held
    together = outcomes()
    assert together == one_by_one
    statuses = {v[0] for v in together.values()}
    assert {"lulus", "lulus_tertunda", "tidak_dapat_menyelesaikan"} <= statuses
    assert len({v[5] for v in together.values() if v[5]}) == sum(1 for v in together.values() if v[5])  # unique
    pdfs = [p for c in summary.assessed for p in c.certificates.files]
    assert len(pdfs) == sum(1 for v in together.values() if v[0] == "lulus") and all(Path(p).is_file() for p in pdfs)
    assert all(Path(p).is_file() for c in summary.assessed for p in c.recap)

    before = snapshot(url)
    again = assess_cohorts(
        AssessCohorts(program=PROGRAM, manifest=manifest(tmp_path / "batch", rows)), return_state=True
    )
    assert again.is_completed()
    assert all(c.counts.already_processed and c.graded.changed == 0 for c in again.result().assessed)
    assert snapshot(url) == before


def test_task_runs_grow_with_chunks_never_with_cohorts_or_participants(
    sqlite_settings, prepared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = cohorts(prepared, sqlite_settings, tmp_path)
    first = assess_cohorts(
        AssessCohorts(program=PROGRAM, manifest=manifest(tmp_path, [(1, "nilai-1.csv")], "one.csv")),
        return_state=True,
    )
    every = manifest(tmp_path, [(n, Path(built[n]["scores"]).name) for n in STARTS], "all.csv")
    three = assess_cohorts(AssessCohorts(program=PROGRAM, manifest=every), return_state=True)
    assert first.is_completed() and three.is_completed()
    one_cohort, three_cohorts = task_runs(first), task_runs(three)
    assert one_cohort == three_cohorts

    monkeypatch.setenv("DIKLAT_COHORTS_PER_TASK", "1")
    get_settings.cache_clear()
    chunked = task_runs(assess_cohorts(AssessCohorts(program=PROGRAM, manifest=every), return_state=True))
    per_chunk, rest = divmod(chunked - three_cohorts, 2)  # three chunks instead of one
    assert rest == 0 and 0 < per_chunk <= 8  # read, prepare, gate, save, grade, certificates, recaps, close
    assert three_cohorts - per_chunk <= 2  # once per run: the cohort list, the cohorts


def test_unknown_cohorts_and_unreadable_sheets_are_held_back_and_the_others_graded(
    settings, prepared, tmp_path: Path
) -> None:
    built = cohorts(prepared, settings, tmp_path)
    stranger = built[1]["nips"][0]  # cohort 1's participant, sent in cohort 3's sheet
    sheet3 = pd.read_csv(built[3]["scores"], dtype=str)
    sheet3 = pd.concat([sheet3, sheet3.head(1).assign(NIP=stranger)])
    write_table(sheet3, tmp_path / "nilai-3.csv")
    rows = [(1, "nilai-1.csv"), (9, "nilai-1.csv"), (2, "nilai-hilang.csv"), (3, "nilai-3.csv")]
    state = assess_cohorts(
        AssessCohorts(program=PROGRAM, manifest=manifest(tmp_path, rows), documents=False), return_state=True
    )
    assert state.is_failed()
    assert "2 cohorts held back" in state.message
    assert "no cohort 9" in state.message and "nilai-hilang.csv was not found" in state.message
    summary = state.result(raise_on_failure=False)
    assert [c.ref.number for c in summary.assessed] == [1, 3]
    assert [h.cohort for h in summary.held] == [9, 2]
    assert summary.rows_quarantined == 1

    with services().unit_of_work() as session:
        graded = session.execute(select(t.Cohort.number).join(t.Enrolment).join(t.Result).distinct()).scalars().all()
        numbers = session.scalars(select(t.Certificate.number)).all()
    assert sorted(graded) == [1, 3]
    assert numbers and all(numbers)  # numbers and codes are recorded even without documents
    outputs = get_settings().outputs
    assert not list(outputs.rglob("*.pdf")) and not list(outputs.rglob("rekap-nilai*"))
    assert [Path(c.rejected_file).is_file() for c in summary.assessed if c.rejected_file] == [True]

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]))
        )
    pages = [a for a in artifacts if a.type == "markdown" and a.key != overview_key(PROGRAM)]  # + the overview
    assert [a.key for a in pages] == [slug(f"assessment-{PROGRAM}-summary")]
    text = str(pages[0].data)
    assert "Cohort 9" in text and "nilai-hilang.csv" in text
    assert not any(nip in text for info in built.values() for nip in info["nips"])  # NIPs never unmasked
