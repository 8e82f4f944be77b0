"""The benchmark's designs still run the flows' current steps: a benchmark CI never runs would rot
silently (it did: the floor called tasks with the arguments of three releases ago)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.flows]


@pytest.fixture(scope="module")
def designs(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> tuple:  # noqa: ANN001
    """The hand-written floor, the floor and the flows on one 90-participant workload, each on its own database."""
    from bench.measure import PeakMemory
    from bench.national import run_pipeline, warm_up
    from bench.workload import make_workload

    folder = tmp_path_factory.mktemp("designs")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DIKLAT_DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("DIKLAT_LANGUAGE", "en")
        workload = make_workload(folder, 90)
        warm_up()
        memory = PeakMemory()
        try:
            shared: dict = {}
            stages = {
                design: {s.stage: s for s in run_pipeline("sqlite", design, workload, shared, memory, keep=True)}
                for design in ("hand", "floor", "orchestrated")
            }
        finally:
            memory.close()
    return workload, stages


def test_the_floor_and_the_orchestrated_flows_handle_the_same_participants(designs) -> None:  # noqa: ANN001
    _, stages = designs
    floor, flows = stages["floor"], stages["orchestrated"]
    assert set(floor) == set(flows) == {"open", "check", "assess"}
    for stage in ("open", "check", "assess"):
        assert floor[stage].rows == flows[stage].rows > 0, stage
        assert floor[stage].task_runs is None and flows[stage].task_runs > 0
    assert floor["open"].rows == 90 and floor["assess"].rows <= 90


def test_the_hand_written_floor_does_the_flows_essential_work(designs) -> None:  # noqa: ANN001
    """Same enrolments, calendar rows, score rows and final scores as the flows: a floor that skipped
    work would flatter the ratio issue #17 sets."""
    import sqlalchemy as sa

    workload, stages = designs
    hand, flows = stages["hand"], stages["orchestrated"]
    assert {stage: hand[stage].rows for stage in hand} == {stage: flows[stage].rows for stage in flows}

    def database(design: str) -> str:
        [path] = workload.folder.glob(f"{design}-*.db")  # kept: each run has a file of its own
        return f"sqlite:///{path}"

    def facts(design: str) -> dict:
        engine = sa.create_engine(database(design))
        with engine.connect() as conn:
            one = lambda sql: conn.execute(sa.text(sql)).all()  # noqa: E731
            out = {
                "enrolments": one("SELECT c.number, e.nip FROM enrolment e JOIN cohort c ON c.id = e.cohort_id"),
                "sessions": one(
                    "SELECT c.number, s.code, s.date, s.jp FROM session s JOIN cohort c ON c.id = s.cohort_id"
                ),
                "milestones": one(
                    "SELECT c.number, m.code, m.due_date FROM milestone m JOIN cohort c ON c.id = m.cohort_id"
                ),
                "scores": one(
                    "SELECT e.nip, s.component, s.assessor, s.score FROM score s"
                    " JOIN enrolment e ON e.id = s.enrolment_id"
                ),
                "final": one(
                    "SELECT e.nip, r.final_score, r.qualification FROM result r"
                    " JOIN enrolment e ON e.id = r.enrolment_id"
                ),
            }
        engine.dispose()
        return {k: sorted(v) for k, v in out.items()}

    by_hand, by_flows = facts("hand"), facts("orchestrated")
    assert len(by_flows["enrolments"]) == 90 and len(by_flows["scores"]) == 90 * 4 * 2
    for what in by_flows:
        assert by_hand[what] == by_flows[what], what
    # The floor numbers every score in a passing band; the flows also hold back who missed attendance
    # or a required milestone, so they number no more than that.
    with sa.create_engine(database("hand")).connect() as conn:
        numbered = conn.execute(sa.text("SELECT count(*) FROM certificate")).scalar()
    passing = sum(1 for _, score, _ in by_flows["final"] if score is not None and score > 70)
    assert numbered == passing
