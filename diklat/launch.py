"""The command a process worker runs for each flow run: hand the run to the worker's warm process.

A cold flow-run process pays 5-9 s of CPU before its first line of work: the interpreter, Prefect,
then the flows' imports (Great Expectations, pandas, SQLAlchemy...). ``diklat.zygote`` imports all
that once, beside the worker, and forks a ready process per run. This launcher is what the worker
starts instead of ``python -m prefect.engine`` (the work pool's ``command``, set by
``diklat.deploy.ensure_work_pool``). It stays the process the worker knows: it passes its environment,
working directory and standard streams to the zygote, forwards the worker's signals (cancellation)
to the forked run, and exits the way the run ended, so the worker's crash detection and cancellation
see exactly what they would see with a cold process.

Without a zygote (none started, its socket gone, or it refuses because the code changed since it
imported it) the launcher becomes ``python -m prefect.engine`` itself: nothing is lost, only the warm
start. This module imports nothing beyond the standard library, so it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import struct
import sys

SOCKET_ENV = "DIKLAT_ZYGOTE_SOCKET"
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def cold() -> None:
    """Become the flow-run process the worker would have started (replaces this process)."""
    command = [sys.executable, "-m", "prefect.engine", *sys.argv[1:]]
    os.execv(command[0], command)  # noqa: S606 - the worker's own default command


def _streams() -> list[int]:
    """Standard streams that are open (a worker may start runs with stdin closed)."""
    open_fds = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            continue
        open_fds.append(fd)
    return open_fds


def _connect(path: str) -> socket.socket | None:
    try:
        if not stat.S_ISSOCK(os.stat(path).st_mode):
            return None
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
    except OSError:
        return None
    return conn


def _ask(conn: socket.socket, entry: str) -> tuple[int | None, object]:
    """Send the run's process context; the forked run's pid, or None when the zygote declines."""
    streams = _streams()
    umask = os.umask(0o022)  # reading the mask means setting one: put it straight back
    os.umask(umask)
    request = json.dumps(
        {
            "env": dict(os.environ),
            "cwd": os.getcwd(),
            "argv": sys.argv[1:],
            "streams": streams,
            "entry": entry,
            "umask": umask,
        }
    ).encode()
    try:
        socket.send_fds(conn, [struct.pack("!I", len(request)) + request], streams)
        replies = conn.makefile("rb")
        first = replies.readline().split()
    except OSError:
        return None, None
    if len(first) == 2 and first[0] == b"pid" and first[1].isdigit():  # noqa: PLR2004
        return int(first[1]), replies
    return None, None


def _end_like(outcome: list[bytes]) -> None:
    """Exit the way the run ended: its exit code, or killed by the same signal."""
    if len(outcome) == 2 and outcome[0] == b"exit":  # noqa: PLR2004
        sys.exit(int(outcome[1]))
    number = int(outcome[1]) if len(outcome) == 2 and outcome[0] == b"signal" else signal.SIGKILL  # noqa: PLR2004
    # No outcome at all: the zygote died, and with it the run (it is killed with its parent).
    if number != signal.SIGKILL:
        signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
    sys.exit(128 + number)


def hand_over(path: str, entry: str) -> None:
    """Have the zygote at ``path`` run ``entry`` ("flow-run": prefect.engine, "cli": the `diklat` command)
    with this process's arguments, environment, directory and streams, then exit as that run ends.
    Returns only if no zygote takes it (none there, or it declines): the caller then does the work itself."""
    conn = _connect(path)
    if conn is None:
        return
    pid, replies = _ask(conn, entry)
    if pid is None:
        conn.close()
        return

    def forward(number: int, _frame: object) -> None:
        try:
            os.kill(pid, number)
        except ProcessLookupError:
            pass

    for number in FORWARDED:
        signal.signal(number, forward)
    try:
        outcome = replies.readline().split()
    except OSError:
        outcome = []
    _end_like(outcome)


def main() -> None:
    path = os.environ.get(SOCKET_ENV)
    if path:
        hand_over(path, "flow-run")
    cold()


if __name__ == "__main__":
    main()
