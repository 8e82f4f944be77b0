"""Bulk steps run with rare cyclic collections, and a process gets CPython's thresholds back after."""

from __future__ import annotations

import gc
import threading

import pytest

from diklat.collector import BULK_THRESHOLDS, bulk_collection

pytestmark = pytest.mark.unit


def test_thresholds_are_raised_while_any_bulk_step_runs_and_restored_after_the_last() -> None:
    before = gc.get_threshold()
    inside, started, release = [], threading.Event(), threading.Event()

    def other_step() -> None:
        with bulk_collection():
            started.set()
            release.wait(5)
            inside.append(gc.get_threshold())

    with bulk_collection():
        assert gc.get_threshold() == BULK_THRESHOLDS
        worker = threading.Thread(target=other_step)
        worker.start()
        started.wait(5)
    assert gc.get_threshold() == BULK_THRESHOLDS  # the other step still runs: not restored under it
    release.set()
    worker.join(5)
    assert inside == [BULK_THRESHOLDS] and gc.get_threshold() == before


def test_a_failing_step_restores_the_thresholds_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(ValueError), bulk_collection():
        raise ValueError("bad data")
    assert gc.get_threshold() == before


def test_every_task_runs_inside_a_bulk_collection() -> None:
    from tasks.common import compute_task, io_task

    seen = []

    def step() -> None:
        seen.append(gc.get_threshold())

    io_task(step).fn()
    compute_task(step).fn()
    assert seen == [BULK_THRESHOLDS, BULK_THRESHOLDS]
    assert io_task(step).name == "step"  # Prefect still names the task after the function
