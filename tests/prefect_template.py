"""Prefect servers in the tests start from a copy of a migrated database instead of migrating their own.

A Prefect 3.9 server on an empty SQLite database runs its migrations first: about 14 s on this box,
against 5 s on a database already migrated. The first test server of a run migrates as usual and its
database, still empty of runs, is saved beside the run's temporary folders; every later server of the
run (the other test processes' harnesses, the servers the e2e and restart tests start) begins from a
copy. Nothing carries over between runs: the file lives in the run's own temporary root.

They also run the application diklat's own servers run (``diklat.prefect_sqlite``: SQLite write
transactions that wait for each other instead of failing with "database is locked"), so a test's
runs meet the server an operator's runs meet, and not Prefect's 2-8 s retry sleeps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest


def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by every process of one run and by no other run.

    Under pytest-xdist each process has its own folder under the run's root; without it, the run's
    folder is the root (its parent holds the earlier runs' folders).
    """
    run = tmp_path_factory.getbasetemp()
    return (run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run) / "prefect-migrated.db"


def seed_prefect_home(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Put a migrated database where `prefect server start` looks for it (PREFECT_HOME/prefect.db)."""
    template = template_path(tmp_path_factory)
    if template.exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, home / "prefect.db")


@contextmanager
def seeded_test_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Prefect's own prefect_test_harness, on a copy of the run's migrated database when there is one."""
    import prefect.settings
    import prefect.testing.utilities as harness
    from prefect.server.api.server import SubprocessASGIServer

    template = template_path(tmp_path_factory)

    def seeded_folder() -> str:
        folder = tempfile.mkdtemp()
        if template.exists():
            shutil.copyfile(template, Path(folder) / "prefect-test.db")  # the name the harness gives it
        return folder

    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(harness, "mkdtemp", seeded_folder)
            prefect_command = SubprocessASGIServer._run_uvicorn_command
            patch.setattr(SubprocessASGIServer, "_run_uvicorn_command", lambda s: _with_diklat_app(prefect_command, s))
            stack.enter_context(harness.prefect_test_harness(server_startup_timeout=120))
        if not template.exists():  # the first server of the run: save its database before any run
            url = prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
            _save(Path(url.split("///", 1)[1]), template)
        yield


PREFECT_FACTORY = "prefect.server.api.server:create_app"


def _with_diklat_app(prefect_command, server) -> subprocess.Popen:  # noqa: ANN001
    """The harness's uvicorn command, with diklat's app factory in place of Prefect's (same arguments)."""
    from diklat.prefect_sqlite import FACTORY

    real_popen = subprocess.Popen

    def popen(args: list[str], **kwargs) -> subprocess.Popen:  # noqa: ANN003
        assert PREFECT_FACTORY in args, f"the harness's server command changed: {args}"
        return real_popen([FACTORY if arg == PREFECT_FACTORY else arg for arg in args], **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess, "Popen", popen)
        return prefect_command(server)


def _save(database: Path, template: Path) -> None:
    from tests.helpers import copy_sqlite

    partial = template.with_suffix(f".{os.getpid()}.part")
    copy_sqlite(database, partial)  # consistent while the server holds it open
    os.replace(partial, template)  # whole or absent, whichever process finishes first
