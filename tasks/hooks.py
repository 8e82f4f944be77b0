"""What runs after every flow run, whatever its outcome: the flows' state hooks in one place."""

from __future__ import annotations

from typing import Any

from tasks.delivery import deliver_to_inbox
from tasks.overview import refresh_overview


def after_run(reads_a_file: bool = False) -> dict[str, list[Any]]:
    """``@flow`` keyword arguments: refresh the programme overview; for a flow that reads one operator
    file, also give its results back beside that file when it came from the inbox."""
    hooks = [deliver_to_inbox, refresh_overview] if reads_a_file else [refresh_overview]
    return {"on_completion": hooks, "on_failure": hooks}
