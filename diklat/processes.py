"""Which process is this, and is another one (named the same way) still alive?

A claim on shared work (a cohort's lease, a notification being sent) records its holder as
"host:pid". When a holder on this host has no process any more (kill -9, a crash), its claim can be
taken over at once instead of after a timeout; a holder on another host is only ever presumed dead
after its timeout, because its process cannot be seen from here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def process_alive(pid: int) -> bool:
    """Whether a process of this host still runs (a zombie, killed but not yet reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(holder: str | None) -> bool:
    """True only for a "host:pid" of this host whose process has ended."""
    host, _, pid = (holder or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))
