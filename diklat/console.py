"""The operator's console made ready: deployments registered in the operator's language, crash detection
and alerts set up, and a worker and the inbox watcher running (in the foreground for ``diklat serve``, in
the background after ``diklat demo``; ``diklat stop`` ends what was started in the background)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

from diklat import deploy
from diklat.processes import process_alive
from diklat.settings import Settings


def register(settings: Settings, api: str) -> dict[str, str]:
    """Work pool, every deployment of prefect.yaml (schedules and inbox triggers), translated forms,
    crash detection and (when configured) failure alerts; safe to run any number of times."""
    from diklat.monitoring import setup_crash_detection, setup_failure_alerts

    env = deploy.worker_environment(settings, api)
    deploy.ensure_work_pool()
    deploy.deploy_all(env)
    deploy.localise_deployments(settings.language)
    setup_crash_detection()
    if settings.failure_webhook_url:
        setup_failure_alerts(settings.failure_webhook_url)
    return env


def _pidfile(settings: Settings) -> Path:
    return settings.data_dir / "prefect" / "services.json"


def start_in_background(settings: Settings, env: dict[str, str]) -> dict[str, int]:
    """A worker, the inbox watcher and the public pages, detached, unless the ones started before still run."""
    path = _pidfile(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    running = {k: v for k, v in (json.loads(path.read_text()) if path.exists() else {}).items() if process_alive(v)}
    log = (settings.data_dir / "prefect" / "services.log").open("ab")
    if "worker" not in running:
        running["worker"] = deploy.start_worker(env, stdout=log, stderr=log, start_new_session=True).pid
    if "watcher" not in running:
        running["watcher"] = deploy.start_watcher(env, stdout=log, stderr=log, start_new_session=True).pid
    if "public" not in running:
        running["public"] = deploy.start_public(env, stdout=log, stderr=log, start_new_session=True).pid
    path.write_text(json.dumps(running))
    return running


def _ours(pid: int) -> bool:
    """The process is still one diklat started (after a reboot the pid may belong to anything else)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"prefect" in command or b"diklat" in command


STOP_GRACE_SECONDS = 15.0


def stop_background(settings: Settings, grace: float = STOP_GRACE_SECONDS) -> list[str]:
    """End the worker, the watcher, the public pages and the local server started by diklat; returns what
    was stopped. Each gets SIGTERM and ``grace`` seconds to finish; what still runs then is killed: a
    worker whose graceful shutdown waits on a server that is already gone would otherwise live on."""
    stopped, groups = [], []
    files = [_pidfile(settings), settings.data_dir / "prefect" / "server.json"]
    for path in files:
        if not path.exists():
            continue
        for name, pid in json.loads(path.read_text()).items():
            if process_alive(pid) and _ours(pid):
                group = os.getpgid(pid)
                os.killpg(group, signal.SIGTERM)  # the process and what it started
                stopped.append(name)
                groups.append((pid, group))
        path.unlink()
    deadline = time.monotonic() + grace
    while any(process_alive(pid) for pid, _ in groups) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid, group in groups:
        if process_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
    return stopped
