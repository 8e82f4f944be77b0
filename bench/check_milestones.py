"""Time one daily milestone check over N cohorts of 30, and count its Prefect task runs.

    .venv/bin/python bench/check_milestones.py --cohorts 1 10 100 [--database-url URL]

Cohorts and their evidence are created directly through the store (not timed); each check runs as
a real flow on the Prefect server in PREFECT_API_URL (or the local one diklat starts).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2022, 10, 20)
START = date(2022, 7, 14)


def build(url: str, cohorts: int) -> None:
    from diklat.db.engine import session_factory
    from diklat.db.migrate import upgrade
    from diklat.db.uow import unit_of_work
    from diklat.domain.calendar import build_calendar, days_off_for
    from diklat.gate.evidence import gate_evidence
    from diklat.gate.roster import gate_roster
    from diklat.gate.suites import RosterRules
    from diklat.io.read import read_table
    from diklat.store.calendar import save_calendar
    from diklat.store.cohorts import ensure_cohort
    from diklat.store.evidence import evidence_context, save_evidence
    from diklat.store.roster import save_roster
    from diklat.synth.evidence import make_evidence
    from diklat.synth.roster import make_roster, write_table
    from diklat.templates import resolve_template
    from schemas.files import ROSTER, SPECS

    upgrade(url)
    template = resolve_template("PKP")
    calendar = build_calendar(template, START, days_off_for(template, START))
    folder = Path(tempfile.mkdtemp(prefix="diklat-bench-check-"))
    for number in range(1, cohorts + 1):
        synth = make_roster(30, seed=number, today=START)
        roster = read_table(write_table(synth.frame, folder / f"r{number}.csv"), ROSTER)
        evidence = make_evidence([p.nip for p in synth.people], calendar, template, seed=number, as_of=AS_OF)
        with unit_of_work(session_factory(url)) as session:
            ref = ensure_cohort(session, f"Bench {number // 100}", number, START, template, "bench")
            gated = gate_roster(roster.frame, RosterRules("III/a", 30, frozenset(), {}), START)
            save_roster(session, gated, ref, roster.file_name, roster.sha256, "bench")
            save_calendar(session, ref.cohort_id, calendar)
            session.flush()
            ctx = evidence_context(session, ref)
            for kind in ("attendance", "guidance", "deliverables"):
                table = read_table(write_table(getattr(evidence, kind), folder / f"{kind}{number}.csv"), SPECS[kind])
                save_evidence(
                    session, gate_evidence(kind, table.frame, ctx, AS_OF), ref, table.file_name, table.sha256, "bench"
                )


async def task_runs(flow_run_id) -> int:  # noqa: ANN001
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return len(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cohorts", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from bench.national import stop_started_server
    from diklat.prefect_server import ensure_server

    server_dir = Path(tempfile.mkdtemp(prefix="diklat-bench-prefect-"))
    ensure_server(server_dir)
    atexit.register(stop_started_server, server_dir)
    for n in args.cohorts:
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='diklat-bench-')}/bench.db"
        os.environ["DIKLAT_DATABASE_URL"] = url
        from diklat.settings import get_settings

        get_settings.cache_clear()
        started = time.perf_counter()
        build(url, n)
        setup = time.perf_counter() - started
        from flows.check_milestones import check_milestones
        from schemas.params import CheckMilestones

        started = time.perf_counter()
        state = check_milestones(CheckMilestones(as_of=AS_OF, notify=False), return_state=True)
        wall = time.perf_counter() - started
        summary = state.result()
        runs = asyncio.run(task_runs(state.state_details.flow_run_id))
        print(
            f"{n:4d} cohorts ({n * 30:5d} participants): check {wall:6.2f} s, {runs} task runs, "
            f"{summary.at_risk} at risk, setup {setup:.0f} s, "
            f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
