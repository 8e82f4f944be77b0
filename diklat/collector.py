"""Python's cyclic garbage collector during bulk steps (issue #17).

A national assessment holds millions of small objects at once (Decimals, lists of problems, row
dicts). With CPython's default thresholds (700, 10, 10) the collector walks that whole, growing heap
again and again: the final assessment of 100,000 participants (floor design, SQLite) took 65 s with
them and 52 s with these. Objects are still freed by reference counting the moment they are
dropped; only garbage *cycles* wait longer for a collection.

The thresholds are process-wide, so they are raised while at least one bulk step runs (steps may
run in threads side by side) and restored when the last one ends: a long-running process (the
public pages, the inbox watcher) keeps CPython's defaults.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLDS = (100_000, 50, 1_000)  # generation 0 allocations; then 1 and 2 as multiples

_lock = threading.Lock()
_running = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def bulk_collection() -> Iterator[None]:
    """Run the block with rare cyclic collections; nested and concurrent uses share one setting."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*BULK_THRESHOLDS)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
