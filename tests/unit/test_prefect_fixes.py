"""The heartbeat fix: installed wherever a flow can run, same heartbeats, no second lost per run."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import prefect
import prefect.flow_engine

from diklat import prefect_fixes


class FakeEngine:
    """What the heartbeat reads of Prefect's flow engine: its interval, its run's state, its emitter."""

    def __init__(self, seconds: int) -> None:
        self.heartbeat_seconds = seconds
        self.flow_run = SimpleNamespace(state=SimpleNamespace(is_final=lambda: False))
        self.beats: list[str] = []
        self.logger = SimpleNamespace(debug=lambda *a, **k: None)

    def _build_heartbeat_event_template(self) -> tuple[str, list]:
        return "resource", []

    def _emit_flow_run_heartbeat(self, resource: str, related: list) -> None:
        self.beats.append(threading.current_thread().name)


def test_the_fix_is_installed_by_what_every_flow_imports_on_the_pinned_prefect() -> None:
    import diklat.orchestration  # noqa: F401 - every flow imports it

    assert prefect.__version__ in prefect_fixes.FIXED_VERSIONS, (
        f"Prefect is now {prefect.__version__}: read prefect.flow_engine._send_heartbeats again; if it still "
        "sleeps in a loop while the engine joins it, add the version to FIXED_VERSIONS, else delete the fix"
    )
    assert prefect.flow_engine._send_heartbeats is prefect_fixes._send_heartbeats


def test_a_run_sends_its_first_heartbeat_and_its_end_interrupts_the_wait(monkeypatch) -> None:  # noqa: ANN001
    slept: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda s: (slept.append(s), real_sleep(s)))
    engine = FakeEngine(seconds=3600)
    before = set(threading.enumerate())
    with prefect_fixes._send_heartbeats(engine):
        while not engine.beats:
            real_sleep(0.001)
        beat_threads = set(threading.enumerate()) - before
    assert len(engine.beats) == 1
    assert beat_threads and not any(t.is_alive() for t in beat_threads)  # joined, not left behind
    assert slept == []  # upstream sleeps second by second, and the run's end waits for that second


def test_no_heartbeat_where_prefect_has_them_off() -> None:
    engine = FakeEngine(seconds=0)
    engine.heartbeat_seconds = None
    with prefect_fixes._send_heartbeats(engine):
        pass
    assert engine.beats == []
