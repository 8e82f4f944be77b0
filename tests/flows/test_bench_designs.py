"""The benchmark's designs still run the flows' current steps: a benchmark CI never runs would rot
silently (it did: the floor called tasks with the arguments of three releases ago)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def test_the_floor_and_the_orchestrated_flows_handle_the_same_participants(tmp_path: Path, monkeypatch) -> None:
    from bench.measure import PeakMemory
    from bench.national import run_pipeline, warm_up
    from bench.workload import make_workload

    monkeypatch.setenv("DIKLAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIKLAT_LANGUAGE", "en")
    workload = make_workload(tmp_path, 90)
    warm_up()
    memory = PeakMemory()
    try:
        shared: dict = {}
        floor = {s.stage: s for s in run_pipeline("sqlite", "floor", workload, shared, memory)}
        flows = {s.stage: s for s in run_pipeline("sqlite", "orchestrated", workload, shared, memory)}
    finally:
        memory.close()
    assert set(floor) == set(flows) == {"open", "check", "assess"}
    for stage in ("open", "check", "assess"):
        assert floor[stage].rows == flows[stage].rows > 0, stage
        assert floor[stage].task_runs is None and flows[stage].task_runs > 0
    assert floor["open"].rows == 90 and floor["assess"].rows <= 90
