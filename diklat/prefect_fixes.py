"""A fix for Prefect 3.9.1 that every flow run pays for: a second of waiting at the end of each run.

Prefect's flow engine starts a heartbeat thread for each flow run. The thread sleeps in whole seconds
(``time.sleep(1)`` in a loop) and only looks at its stop flag between two sleeps, while the engine
joins it when the run ends. So every flow run, however short, returns up to one second late: 1.06 s
for an empty flow on this box, 0.07 s with the fix. An operator's ``diklat open-cohort`` paid it once,
the final assessment with its subflows several times, the test suite hundreds of times.

The replacement below is the same heartbeat (same events, same interval, same thread) waiting on its
stop flag instead of sleeping, so it ends the moment the run does. It replaces the engine's function
only on the Prefect versions it was checked against (``FIXED_VERSIONS``); on any other version it does
nothing and ``tests/unit/test_prefect_fixes.py`` fails, asking for the upstream code to be read again.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

FIXED_VERSIONS = frozenset({"3.9.1"})


@contextmanager
def _send_heartbeats(engine: Any, join_on_exit: bool = True) -> Iterator[None]:
    """``prefect.flow_engine._send_heartbeats`` of 3.9.1 with ``Event.wait`` in place of the sleep loop."""
    from prefect.flow_engine import MINIMUM_HEARTBEAT_INTERVAL

    seconds = engine.heartbeat_seconds
    if seconds is None:
        yield
        return
    seconds = max(seconds, MINIMUM_HEARTBEAT_INTERVAL)
    resource, related = engine._build_heartbeat_event_template()
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            state = engine.flow_run.state if engine.flow_run else None
            if state is not None and state.is_final():
                return
            try:
                engine._emit_flow_run_heartbeat(resource, related)
            except Exception:  # noqa: BLE001 - as upstream: a lost heartbeat must not fail the run
                engine.logger.debug("Failed to emit heartbeat", exc_info=True)
            if stop.wait(seconds):
                return

    # As upstream: the thread sees the caller's settings context (and so its PREFECT_API_URL).
    thread = threading.Thread(target=contextvars.copy_context().run, args=(beat,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        if join_on_exit:
            thread.join(timeout=2)


def apply() -> bool:
    """Install the fix in this process (idempotent); False where the Prefect version was not checked."""
    import prefect
    import prefect.flow_engine

    if prefect.__version__ not in FIXED_VERSIONS:
        return False
    prefect.flow_engine._send_heartbeats = _send_heartbeats
    return True
