"""Measure roster ingest (read + gate, then persist) on a large generated file.

    .venv/bin/python bench/ingest_roster.py --rows 100000 [--xlsx] [--database-url URL]

Prints rows/s per stage and the process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from diklat.db.engine import session_factory
from diklat.db.migrate import upgrade
from diklat.db.uow import unit_of_work
from diklat.gate.roster import gate_roster
from diklat.gate.suites import RosterRules
from diklat.io.read import read_table
from diklat.store.cohorts import ensure_cohort
from diklat.store.roster import save_roster
from diklat.synth.personnel import personnel_frame
from diklat.synth.roster import write_table
from diklat.templates import resolve_template
from schemas.files import ROSTER

TODAY = date(2022, 7, 14)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="diklat-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)

    people = personnel_frame(args.rows, seed=1, today=TODAY)
    people["GOL/RUANG"] = people["GOL/RUANG"].where(people["GOL/RUANG"] >= "III", "III/a")
    path = write_table(
        people[["NIP", "NAMA", "GOL/RUANG", "JABATAN", "UNIT KERJA"]],
        folder / ("roster.xlsx" if args.xlsx else "roster.csv"),
    )

    timings = {}
    t0 = time.perf_counter()
    table = read_table(path, ROSTER)
    timings["read"] = time.perf_counter() - t0
    template = resolve_template("PKP").model_copy(update={"capacity": args.rows})
    rules = RosterRules(template.minimum_golongan, args.rows, frozenset(), {})
    t0 = time.perf_counter()
    gated = gate_roster(table.frame, rules, TODAY)
    timings["gate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with unit_of_work(session_factory(url)) as session:
        cohort = ensure_cohort(session, "Bench", 1, TODAY, template, "bench")
        counts = save_roster(session, gated, cohort, table.file_name, table.sha256, "bench")
    timings["persist"] = time.perf_counter() - t0

    rows = gated.rows_read
    print(f"rows read {rows}, accepted {counts.rows_accepted}, quarantined {counts.rows_quarantined}")
    for stage, seconds in timings.items():
        print(f"{stage:8s} {seconds:7.2f} s  {rows / seconds:10,.0f} rows/s")
    total = timings["read"] + timings["gate"]
    print(f"read+gate {total:6.2f} s  {rows / total:10,.0f} rows/s")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
