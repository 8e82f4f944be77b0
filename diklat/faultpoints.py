"""Named points where a fault-injection test kills the process, as kill -9 or a power cut would.

``reached("roster.before-commit")`` does nothing unless ``DIKLAT_KILL_AT`` names that point; then the
process dies on the spot (SIGKILL: no cleanup, no finally, no atexit). tests/faults runs each writing
flow killed at each point, reruns it, and checks that the rerun ends exactly where an uninterrupted run
ends. The points are part of the code's contract: where they sit is where the guarantees are tested.
"""

from __future__ import annotations

import os
import signal

ENV = "DIKLAT_KILL_AT"


def reached(point: str) -> None:
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
