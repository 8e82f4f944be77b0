"""The Prefect server on SQLite, with write transactions that wait for each other instead of failing.

Prefect 3.9.1's server opens its SQLite transactions ``BEGIN DEFERRED``: a transaction reads first (the
flow, the deployment) and takes the write lock only at its first write. When another connection wrote
in between (the task-run recorder saving the previous run's task states, say), SQLite refuses that
upgrade at once with "database is locked" (SQLITE_BUSY_SNAPSHOT): the busy timeout of 60 s is never
consulted, because waiting could not help a transaction whose snapshot is already stale. The server
answers 503 and Prefect's client sleeps 2 s, then 4 s, then 8 s before it asks again. Measured here: in
one run of the test suite, 30 to 55 such retries slept 103 to 203 s in all, most of them while eight
runs of one cohort were started at once (what eight operators, or eight files dropped in the inbox, do).
Upstream: PrefectHQ/prefect#18934, open.

The fix is SQLite's own advice: ``BEGIN IMMEDIATE`` takes the write lock when the transaction begins,
so a second writer waits for the first (within the busy timeout) and no transaction can be left with
a stale snapshot to upgrade. Only transactions are affected: Prefect's reads outside a transaction
stay lock-free, and SQLite lets one writer at a time write anyway.

The server has to run this module's code, so diklat starts it as ``python -m diklat.prefect_sqlite
server start ...`` (Prefect's own command line, the fix applied first); the tests' temporary servers
use ``create_app`` as their app factory. On a Prefect version the fix was not checked against it does
nothing, and ``tests/unit/test_prefect_sqlite.py`` fails, asking for the upstream code to be read again.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

FIXED_VERSIONS = frozenset({"3.9.1"})
FACTORY = "diklat.prefect_sqlite:create_app"  # in place of prefect.server.api.server:create_app


def apply() -> bool:
    """Install the fix in this process (idempotent); False where the Prefect version was not checked."""
    import prefect
    from prefect.server.database import configurations

    if prefect.__version__ not in FIXED_VERSIONS:
        return False
    begin_mode = configurations.SQLITE_BEGIN_MODE

    @asynccontextmanager
    async def begin_transaction(self: Any, session: Any, with_for_update: bool = False) -> AsyncIterator[Any]:
        """``AioSqliteConfiguration.begin_transaction`` of 3.9.1, always IMMEDIATE (upstream: only for update)."""
        token = begin_mode.set("IMMEDIATE")
        try:
            async with session.begin() as transaction:
                yield transaction
        finally:
            begin_mode.reset(token)

    configurations.AioSqliteConfiguration.begin_transaction = begin_transaction
    return True


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Prefect's server application with the fix applied (an ASGI app factory for uvicorn)."""
    apply()
    from prefect.server.api.server import create_app as prefect_create_app

    return prefect_create_app(*args, **kwargs)


def server_command(host: str, port: int) -> list[str]:
    """The command that runs a Prefect server on ``host:port`` with the fix (this machine's interpreter)."""
    return [sys.executable, "-m", "diklat.prefect_sqlite", "server", "start", "--host", host, "--port", str(port)]


def main() -> None:
    """Prefect's command line (``prefect server start ...``) in a process where the fix is applied."""
    apply()
    from prefect.cli import app

    sys.argv[0] = "prefect"
    sys.exit(app())


if __name__ == "__main__":
    main()
