"""What an operator waits for: one 30-row cohort opened by the CLI, and through a deployment (cold and warm starts).

    .venv/bin/python -m bench.latency [--rows 30] [--repeat 3]

Starts a Prefect server of its own (temporary home), registers the deployments, starts one process
worker and lets it carry one warm-up run. Then, ``repeat`` times each:

* **imports**: a fresh interpreter importing ``flows.open_cohort``, and, each in a fresh interpreter of
  its own, Great Expectations, Prefect and pandas alone (what the flow cannot do without);
* **CLI**: ``diklat open-cohort`` as an operator types it, wall time of the whole command: cold (a
  data folder no running worker serves: the command imports everything itself), and warm (the data
  folder of the running worker, whose zygote runs the command: ``diklat.entry``);
* **deployment**: ``run_deployment`` as the UI's Run button, until the run is Completed: first on a
  worker whose runs start cold (``DIKLAT_WARM_RUNS=false``: a fresh ``python -m prefect.engine`` per
  run), then on one whose runs fork from its zygote (the default, ``diklat.zygote``).

For both runs the server's records give the breakdown: the flow run's own time, the sum of its task
runs' times (reading, gate, writing, reporting: each task's name and seconds), and the rest (server
round-trips, hooks, the engine). For the deployment, the time from the trigger until the run started
is the worker's polling plus its subprocess's start and imports. Medians are printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.stack import START, deployed, open_cohorts

IMPORTS = {
    "flows.open_cohort": "import flows.open_cohort",
    "great_expectations": "import great_expectations",
    # as diklat imports it: what GX's unused expectations import is deferred (diklat.gate.deferred)
    "great_expectations via diklat.gate": "import diklat.gate.gx",
    "prefect": "import prefect, prefect.flows",
    "pandas": "import pandas",
}


def import_seconds(statement: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def run_breakdown(flow_run_id) -> dict[str, float]:  # noqa: ANN001
    """The flow run's time, its task runs' times by task name, and the rest (engine, hooks, round-trips)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    out: dict[str, float] = {"flow run": (run.end_time - run.start_time).total_seconds()}
    for task in tasks:
        if task.start_time and task.end_time:
            name = task.task_key.rsplit(".", 1)[-1].split("-")[0] if task.task_key else task.name
            out[f"  task {name}"] = out.get(f"  task {name}", 0.0) + (task.end_time - task.start_time).total_seconds()
    out["  engine, hooks, round-trips"] = out["flow run"] - sum(v for k, v in out.items() if k.startswith("  task"))
    return out


def latest_run(flow_name: str):  # noqa: ANN201
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])), sort=FlowRunSort.START_TIME_DESC, limit=1
        )
    return run


def main() -> None:  # noqa: PLR0915 - one script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from diklat.deploy import ROOT
    from diklat.synth.roster import make_roster, write_table

    figures: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with deployed(home, f"sqlite:///{home / 'diklat.db'}") as stack:
            stack.add_worker(runs=1)
            open_cohorts("PKP Latency", {100: write_table(make_roster(3, seed=1).frame, home / "warm.csv")})  # warm
            diklat = str(Path(sys.executable).with_name("diklat"))
            for n in range(1, args.repeat + 1):
                for name, statement in IMPORTS.items():
                    figures[f"import {name} (fresh process)"].append(import_seconds(statement, stack.env))
                cold_env = {**stack.env, "DIKLAT_DATA_DIR": str(home / "data-no-worker")}
                for mode, env, cohort in (("cold", cold_env, 2 * n - 1), ("warm", stack.env, 2 * n)):
                    roster = write_table(make_roster(args.rows, seed=cohort).frame, home / f"cli{cohort}.csv")
                    command = [diklat, "open-cohort", "--program", "PKP Latency", "--cohort", str(cohort)]
                    command += ["--start", START, "--roster", str(roster)]
                    started = time.perf_counter()
                    done = subprocess.run(command, env=env, capture_output=True, cwd=ROOT, check=False)  # noqa: S603
                    assert done.returncode in (0, 3), done.stderr  # 3: opened, some rows quarantined
                    figures[f"CLI {mode}: diklat open-cohort, wall"].append(time.perf_counter() - started)
                    for key, value in run_breakdown(latest_run("open-cohort").id).items():
                        figures[f"CLI {mode}: {key}"].append(value)
            # The same deployment runs on a worker whose runs start cold (python -m prefect.engine), then on
            # one whose runs fork from its zygote (the default), each after one run to settle.
            cohort = 2 * args.repeat + 10
            for mode, warm in (("cold", False), ("warm", True)):
                stack.stop_workers()
                stack.add_worker(runs=1, warm=warm)
                cohort += 1
                settle = write_table(make_roster(3, seed=900 + cohort).frame, home / f"settle{cohort}.csv")
                open_cohorts("PKP Latency", {cohort: settle})
                for _ in range(args.repeat):
                    cohort += 1
                    roster = write_table(make_roster(args.rows, seed=50 + cohort).frame, home / f"dep{cohort}.csv")
                    seconds, [run] = open_cohorts("PKP Latency", {cohort: roster})
                    assert run.state.is_completed(), run.state.message
                    label = f"deployment, {mode} worker"
                    figures[f"{label}: trigger to Completed"].append(seconds)
                    figures[f"{label}: trigger to flow start (worker poll, process start, imports)"].append(
                        (run.start_time - run.created).total_seconds()
                    )
                    for key, value in run_breakdown(run.id).items():
                        figures[f"{label}: {key}"].append(value)
    print(f"{args.rows}-row roster, medians of {args.repeat} runs")  # noqa: T201
    for key, values in figures.items():
        print(f"{statistics.median(values):7.2f} s  {key}")  # noqa: T201


if __name__ == "__main__":
    main()
