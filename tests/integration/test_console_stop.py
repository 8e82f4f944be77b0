"""`diklat stop` ends what diklat started in the background, and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diklat.console import stop_background

pytestmark = pytest.mark.integration


def test_stop_ends_the_recorded_services_and_never_a_process_that_took_a_recorded_pid(sqlite_settings) -> None:
    folder = sqlite_settings.data_dir / "prefect"
    folder.mkdir(parents=True)
    ours = subprocess.Popen(["bash", "-c", "exec -a diklat-watch sleep 60"], start_new_session=True)  # noqa: S607
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)  # noqa: S607 - a reused pid
    # Until bash has exec'd, the pid reads "bash -c …", which stop rightly leaves alone: wait for it.
    cmdline, deadline = Path(f"/proc/{ours.pid}/cmdline"), time.monotonic() + 10
    while b"diklat-watch" not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.02)
    (folder / "services.json").write_text(json.dumps({"watcher": ours.pid, "worker": stranger.pid}))
    try:
        assert stop_background(sqlite_settings) == ["watcher"]
        assert ours.wait(timeout=10) != 0 and stranger.poll() is None
        assert not (folder / "services.json").exists()
    finally:
        stranger.kill()
        ours.kill()


def test_a_service_that_does_not_end_on_sigterm_is_killed_after_the_grace_period(sqlite_settings) -> None:
    """A worker whose graceful shutdown hangs (its server already gone) must not outlive `diklat stop`."""
    folder = sqlite_settings.data_dir / "prefect"
    folder.mkdir(parents=True)
    # This "worker" ignores SIGTERM, so it never ends on its own; it says when it is ready.
    code = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)"
    )
    stuck = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", code, "diklat-worker"], stdout=subprocess.PIPE, start_new_session=True
    )
    assert stuck.stdout.readline().strip() == b"1"
    (folder / "services.json").write_text(json.dumps({"worker": stuck.pid}))
    try:
        assert stop_background(sqlite_settings, grace=0.5) == ["worker"]
        assert stuck.wait(timeout=10) == -9  # SIGKILL, once SIGTERM was not enough
    finally:
        stuck.kill()
