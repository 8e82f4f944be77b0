"""The national benchmark's repeats: designs in rotating order, reported as medians (issue #17)."""

from __future__ import annotations

import pytest

from bench.measure import Stage, medians, rotated, schedule

pytestmark = pytest.mark.unit


def test_each_design_goes_first_and_last_in_turn() -> None:
    designs = ["hand", "floor", "orchestrated"]
    orders = [rotated(designs, r) for r in range(4)]
    assert orders == [
        ["hand", "floor", "orchestrated"],
        ["floor", "orchestrated", "hand"],
        ["orchestrated", "hand", "floor"],
        ["hand", "floor", "orchestrated"],
    ]
    assert {order[0] for order in orders[:3]} == {order[-1] for order in orders[:3]} == set(designs)


def test_sizes_rotate_too_so_the_boxs_drift_reaches_both_ends_of_a_growth_ratio() -> None:
    runs = schedule([100_000, 10_000], ["sqlite", "postgresql"], ["hand", "floor", "orchestrated"], 3)
    assert len(runs) == 2 * 2 * 3 * 3
    for key in {(b, n, d) for b, n, d in runs}:
        assert runs.count(key) == 3  # every design, size and backend, three times
    sqlite = [(n, d) for b, n, d in runs if b == "sqlite"]
    firsts = [sqlite[i][0] for i in (0, 6, 12)]  # the size each repeat starts with
    assert firsts == [10_000, 100_000, 10_000]
    assert sqlite[:6] == [(10_000, "hand"), (10_000, "floor"), (10_000, "orchestrated")] + [
        (100_000, "hand"),
        (100_000, "floor"),
        (100_000, "orchestrated"),
    ]
    assert sqlite[6:9] == [(100_000, "floor"), (100_000, "orchestrated"), (100_000, "hand")]


def stage(design: str, seconds: float, peak: float, name: str = "open") -> Stage:
    return Stage("sqlite", design, 100_000, 3_334, name, seconds, peak, 100_000, None)


def test_the_report_takes_each_stage_s_median_and_highest_memory_in_first_seen_order() -> None:
    runs = [
        stage("hand", 15.0, 900),
        stage("floor", 40.0, 800),
        stage("floor", 30.0, 850, "check"),
        stage("floor", 36.0, 700),
        stage("hand", 17.0, 950),
        stage("floor", 90.0, 600),
        stage("hand", 16.0, 800),
    ]
    out = medians(runs)
    assert [(s.design, s.stage) for s in out] == [("hand", "open"), ("floor", "open"), ("floor", "check")]
    assert [s.seconds for s in out] == [16.0, 40.0, 30.0]
    assert [s.peak_mib for s in out] == [950, 800, 850]
    assert out[0].note == "median of 3: 15.00–17.00 s" and out[2].note == ""
