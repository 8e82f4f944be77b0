"""The `diklat` command's first step: when the service runs a warm process, the command runs there.

A `diklat` command started cold pays 2-5 s of imports (Great Expectations, Prefect, pandas) before
its first line of work, which on a 30-row roster is most of what the operator waits for. `diklat serve`
(and `diklat worker`) keep a zygote that has imported the flows (``diklat.zygote``) and name its socket
in the data folder (``<data dir>/warm/zygote-<host>-<pid>``). This entry point asks it to fork a
process that runs the command with this process's arguments, environment, directory and standard
streams, and exits as that process does: the operator sees the same output, exit code and Ctrl+C behaviour, sooner.

Commands that start or stop services stay in this process: a service forked from the worker's zygote
would end with it. With no zygote (none started, its socket gone, or it declines because the code
changed since it started), the command simply runs here, as before.
"""

from __future__ import annotations

import sys

from diklat import launch

# Long-lived or process-managing verbs: never children of a zygote.
STAY_HERE = frozenset({"serve", "worker", "watch", "stop", "demo", "public"})


def _verb(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def advertised_sockets() -> list[str]:
    """The sockets of the zygotes serving this data folder, newest first (none when settings are invalid:
    the command itself then reports them)."""
    try:
        from diklat.settings import get_settings

        records = sorted(get_settings().warm_dir.glob("zygote-*"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        return [p.read_text(encoding="utf-8").strip() for p in records]
    except Exception:  # noqa: BLE001 - any doubt means a cold start, never a failed command
        return []


def main() -> None:  # pragma: no cover - console entry point (tests run it as the `diklat` executable)
    if _verb(sys.argv[1:]) not in STAY_HERE:
        for path in advertised_sockets():
            launch.hand_over(path, "cli")  # returns only when that zygote did not take the command
    from diklat.cli import main as run_here

    run_here()
