"""What each stage of the benchmark records: wall time, peak memory, rows per second, Prefect task runs."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any

import psutil


@dataclass
class Stage:
    """One measured stage of one design on one backend at one size."""

    backend: str
    design: str  # floor | orchestrated | naive
    participants: int
    cohorts: int
    stage: str  # open | check | assess
    seconds: float
    peak_mib: float
    rows: int  # participants handled by the stage
    task_runs: int | None = None  # None: not run on Prefect
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": round(self.rows_per_second)}


def rotated(designs: Sequence[str], repeat: int) -> list[str]:
    """The order repeat ``repeat`` (from 0) runs the designs in: each goes first, then last, in turn.

    The box's speed drifts during a run (issue #17: up to 40 % between two runs half an hour apart);
    a fixed order charged the drift to whatever ran last.
    """
    k = repeat % len(designs)
    return [*designs[k:], *designs[:k]]


def schedule(
    sizes: Sequence[int], backends: Sequence[str], designs: Sequence[str], repeats: int
) -> list[tuple[str, int, str]]:
    """Every (backend, participants, design) run, ``repeats`` times, sizes and designs both rotating.

    Rotating only the designs spread the box's drift over the designs of one size, but the sizes ran
    one after the other: on 2 December the 10,000 runs met a faster box than the 100,000 runs, and
    the growth between them (issue #17, goal 3) measured the box as much as the code.
    """
    return [
        (backend, size, design)
        for backend in backends
        for repeat in range(repeats)
        for size in rotated(sorted(sizes), repeat)
        for design in rotated(designs, repeat)
    ]


def medians(results: Sequence[Stage]) -> list[Stage]:
    """One Stage per (backend, design, participants, stage), in the order first seen: the median seconds
    of its repeats and the highest peak memory; ``note`` gives the repeats' range."""
    groups: dict[tuple, list[Stage]] = {}
    for r in results:
        groups.setdefault((r.backend, r.design, r.participants, r.stage), []).append(r)
    out = []
    for runs in groups.values():
        seconds = [r.seconds for r in runs]
        note = f"median of {len(runs)}: {min(seconds):.2f}–{max(seconds):.2f} s" if len(runs) > 1 else runs[0].note
        out.append(
            replace(runs[0], seconds=statistics.median(seconds), peak_mib=max(r.peak_mib for r in runs), note=note)
        )
    return out


class PeakMemory:
    """Samples this process's resident memory every 20 ms; ``peak`` is the highest seen since ``reset``.

    ``ru_maxrss`` only knows the peak of the whole process; the benchmark needs it per stage.
    """

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._peak = max(self._peak, self._process.memory_info().rss)

    def reset(self) -> None:
        self._peak = self._process.memory_info().rss

    @property
    def peak_mib(self) -> float:
        return max(self._peak, self._process.memory_info().rss) / 2**20

    def close(self) -> None:
        self._stop.set()


@contextmanager
def timed(memory: PeakMemory) -> Iterator[dict[str, float]]:
    """``with timed(memory) as t:`` ... then ``t["seconds"]`` and ``t["peak_mib"]``."""
    out: dict[str, float] = {}
    memory.reset()
    started = time.perf_counter()
    yield out
    out["seconds"] = time.perf_counter() - started
    out["peak_mib"] = memory.peak_mib


def task_runs(flow_run_id: Any) -> int:
    """Task runs the Prefect server recorded for one flow run (its sub-flows' tasks not included)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def count() -> int:
        # The API answers at most 200 runs per call: page through them.
        total, page = 0, 200
        async with get_client() as client:
            while True:
                runs = await client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])), limit=page, offset=total
                )
                total += len(runs)
                if len(runs) < page:
                    return total

    return asyncio.run(count())


def run_flow(flow: Callable[..., Any], *args: Any) -> tuple[Any, int]:
    """Run a flow on the server in PREFECT_API_URL; its result and its task-run count."""
    state = flow(*args, return_state=True)
    if not (state.is_completed() or state.is_failed()):
        raise RuntimeError(f"{flow.name} ended {state.type}: {state.message}")
    if state.is_failed() and not hasattr(state.data, "result"):
        result = state.result(raise_on_failure=False)
    else:
        result = state.result(raise_on_failure=False)
    return result, task_runs(state.state_details.flow_run_id)
