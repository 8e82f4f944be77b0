"""`diklat stop` ends what diklat started in the background, and nothing else."""

from __future__ import annotations

import json
import subprocess
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
