"""A throw-away deployment stack for the benchmarks that measure what goes through a worker.

A Prefect server of its own (temporary home, free port), the deployments of prefect.yaml, and process
workers started on demand, as `diklat serve` sets them up; everything is stopped on leaving.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

START = "2022-10-03"  # the opening day of every cohort the benchmarks open


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    home: Path
    env: dict[str, str]
    log: IO[bytes]
    workers: list[subprocess.Popen] = field(default_factory=list)

    def add_worker(self, runs: int = 1, warm: bool | None = None) -> None:
        """One more process worker on the pool, carrying ``runs`` flow runs at once; its runs start warm
        (forked from a zygote) or cold (``warm``; default ``DIKLAT_WARM_RUNS``)."""
        from diklat.deploy import start_worker

        self.workers.append(
            start_worker(self.env, runs=runs, warm=warm, stdout=self.log, stderr=self.log, start_new_session=True)
        )

    def stop_workers(self) -> None:
        stop_together(*self.workers)
        self.workers.clear()


def stop_together(*procs: subprocess.Popen) -> None:
    """Terminate together, then wait for each (killed if it takes longer than 20 s)."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def deployed(home: Path, database_url: str) -> Iterator[Stack]:
    """A server with the deployments registered, on ``database_url``; this process talks to it."""
    from diklat.db.migrate import upgrade
    from diklat.deploy import (
        ROOT,
        WORKER_PREFETCH_SECONDS,
        WORKER_QUERY_SECONDS,
        deploy_all,
        ensure_work_pool,
    )
    from diklat.prefect_server import healthy
    from diklat.prefect_sqlite import server_command

    upgrade(database_url)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": WORKER_QUERY_SECONDS,  # as `diklat serve` sets them
        "PREFECT_WORKER_PREFETCH_SECONDS": WORKER_PREFETCH_SECONDS,
        "DIKLAT_DATABASE_URL": database_url,
        "DIKLAT_DATA_DIR": str(home / "data"),
        "DIKLAT_HOME": str(ROOT),
        "GX_ANALYTICS_ENABLED": "false",
    }
    os.environ.update(env)
    with (home / "processes.log").open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            server_command("127.0.0.1", port),
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        stack = Stack(home, env, log)
        try:
            while not healthy(api):
                time.sleep(0.5)
            ensure_work_pool()
            deploy_all(env)
            yield stack
        finally:
            stack.stop_workers()
            stop_together(server)


def wait_all(ids: list, timeout: float = 900) -> list:
    """The flow runs once every one of them is in a final state."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            runs = [client.read_flow_run(i) for i in ids]
            if all(r.state and r.state.is_final() for r in runs):
                return runs
            if time.monotonic() > deadline:
                raise TimeoutError([r.state.name for r in runs])
            time.sleep(0.2)


def open_cohorts(program: str, rosters: dict[int, Path]) -> tuple[float, list]:
    """Trigger the open-cohort deployment for each cohort at once, as the UI does; seconds until all ended."""
    from prefect.deployments import run_deployment

    started = time.perf_counter()
    ids = [
        run_deployment(
            "open-cohort/open-cohort",
            timeout=0,
            parameters={"params": {"program": program, "cohort": n, "start": START, "roster": str(path)}},
        ).id
        for n, path in rosters.items()
    ]
    runs = wait_all(ids)
    return time.perf_counter() - started, runs
