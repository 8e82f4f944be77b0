"""Register the deployments of prefect.yaml on a server and run a worker for them (`diklat serve`)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from diklat.settings import Settings

ROOT = Path(__file__).resolve().parent.parent  # the checkout holding prefect.yaml and flows/
WORK_POOL = "diklat-local"
# How often a worker asks the server for runs to start, and how far ahead. Prefect's default query, every
# 10 s, is on average 5 s an operator waits after pressing Run; with a query every 2 s, its default
# look-ahead of 10 s still kept a warm run 7.4 s from Run to start, 2.8 s with 1 s (bench/RESULTS.md).
# A query every 2 s is one light request.
WORKER_QUERY_SECONDS = "2"
WORKER_PREFETCH_SECONDS = "2"


def prefect_executable() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def worker_environment(settings: Settings, api_url: str) -> dict[str, str]:
    """What a worker (and the flow runs it starts) needs: the server, this checkout, the same data."""
    return {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "DIKLAT_HOME": str(ROOT),
        "DIKLAT_DATA_DIR": str(settings.data_dir.resolve()),
        "DIKLAT_DATABASE_URL": settings.sqlalchemy_url,
        "DIKLAT_INBOX_DIR": str(settings.inbox.resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "GX_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": os.environ.get("PREFECT_WORKER_QUERY_SECONDS", WORKER_QUERY_SECONDS),
        "PREFECT_WORKER_PREFETCH_SECONDS": os.environ.get("PREFECT_WORKER_PREFETCH_SECONDS", WORKER_PREFETCH_SECONDS),
        # Heartbeats let the crash-detection automation (diklat.monitoring) see a killed run.
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30"),
    }


def flow_run_command() -> str:
    """What the pool's workers run for a flow run: diklat.launch, which hands it to a warm process.

    ``python`` is found on the worker's PATH, which ``worker_command`` begins with the worker's own
    environment (``.venv/bin``): one pool serves machines whose checkouts are at different paths.
    """
    return "python -m diklat.launch"


def ensure_work_pool(name: str = WORK_POOL) -> None:
    """Create the process work pool, or bring its flow-run command up to date."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    template["variables"]["properties"]["command"]["default"] = flow_run_command()
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=name, type="process", base_job_template=template))
            return
        except ObjectAlreadyExists:
            pass
        # An existing pool keeps what an operator set on it; only the command's default is ours.
        template = client.read_work_pool(name).base_job_template
        command = template.get("variables", {}).get("properties", {}).get("command")
        if command is not None and command.get("default") != flow_run_command():
            command["default"] = flow_run_command()
            client.update_work_pool(name, WorkPoolUpdate(base_job_template=template))


def deploy_all(env: dict[str, str]) -> None:
    """`prefect deploy --all` from the checkout: prefect.yaml is the one source of deployments."""
    subprocess.run(
        [prefect_executable(), "--no-prompt", "deploy", "--all"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def localise_deployments(language: str) -> int:
    """Every diklat deployment's description and form in ``language`` (after ``prefect deploy``, which
    registers them in English, as written in prefect.yaml and schemas/params.py); returns how many."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import DeploymentUpdate

    from diklat.formtexts import localise_schema
    from diklat.i18n import translator

    _ = translator(language)
    done = 0
    with get_client(sync_client=True) as client:
        for deployment in client.read_deployments():
            if not (deployment.entrypoint or "").startswith("flows/"):
                continue
            update = DeploymentUpdate(
                description=_(deployment.description) if deployment.description else None,
                parameter_openapi_schema=localise_schema(deployment.parameter_openapi_schema, _),
            )
            client.update_deployment(deployment.id, update)
            done += 1
    return done


def worker_command(
    env: dict[str, str], pool: str = WORK_POOL, runs: int | None = None, warm: bool | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command and environment of a process worker that carries at most ``runs`` flow runs at once
    (``DIKLAT_WORKER_RUNS``); under a zygote when ``warm`` (default ``DIKLAT_WARM_RUNS``).

    Deployments of one-cohort flows have no limit of their own: the cohort's lease keeps two runs of one
    cohort apart, so runs of different cohorts spread over the workers' slots. Batch flows keep a limit of
    one per deployment (prefect.yaml).
    """
    from diklat.settings import get_settings

    settings = get_settings()
    if runs is None:
        runs = settings.worker_runs
    command = [prefect_executable(), "worker", "start", "--pool", pool, "--limit", str(runs)]
    # The pool's flow-run command (`python -m diklat.launch`) must find this environment's Python.
    env = {**env, "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])}
    if settings.warm_runs if warm is None else warm:
        # The zygote imports the flows once, starts this worker as its child and forks its runs.
        sock = Path(tempfile.gettempdir()) / f"diklat-zygote-{uuid.uuid4().hex[:12]}.sock"
        # --advertise: `diklat` commands of the worker's data folder run there too (diklat.entry).
        command = [sys.executable, "-m", "diklat.zygote", "--socket", str(sock), "--advertise", "--", *command]
    return command, env


def start_worker(
    env: dict[str, str], pool: str = WORK_POOL, runs: int | None = None, warm: bool | None = None, **popen: object
) -> subprocess.Popen:
    """A process worker (``worker_command``) started in the background."""
    command, env = worker_command(env, pool, runs, warm)
    return subprocess.Popen(command, cwd=ROOT, env=env, **popen)  # noqa: S603


def start_public(env: dict[str, str], **popen: object) -> subprocess.Popen:
    """The public pages (``diklat public``) as their own process: they never load Prefect."""
    diklat = str(Path(sys.executable).with_name("diklat"))
    return subprocess.Popen([diklat, "public"], cwd=ROOT, env=env, **popen)  # noqa: S603


def start_watcher(env: dict[str, str], **popen: object) -> subprocess.Popen:
    """The inbox watcher (``diklat watch``) as its own process beside the worker."""
    diklat = str(Path(sys.executable).with_name("diklat"))
    return subprocess.Popen([diklat, "watch"], cwd=ROOT, env=env, **popen)  # noqa: S603
