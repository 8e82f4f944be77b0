"""The seed scenario (PKP Kota Jambi 2022) as one command, on the embedded default stack.

Each stage runs the same flow an operator runs from the UI, so every run shows in Prefect. Stages
that later issues add (milestone checks, assessment, evaluation, planning) join this script as they
land; the summary says which stages ran.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from diklat.settings import get_settings

PROGRAMME = "PKP Kota Jambi 2022"
COHORTS = ((1, date(2022, 7, 14), 11), (2, date(2022, 8, 22), 12))  # number, start, seed
FAULTS = 2  # "a bad row or two in a file"


def run_demo(out: Path | None, console: Console) -> None:
    """Generate the inputs, open both cohorts, fix and resubmit the rejected rows, summarise."""
    from diklat.cli import _prepare

    started = time.monotonic()
    settings = get_settings()
    folder = out or settings.outputs / "demo"
    inputs = folder / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    console.rule("diklat demo: PKP Kota Jambi 2022")
    console.print(f"database: {settings.sqlalchemy_url}")
    _prepare()
    console.print("Prefect UI: http://127.0.0.1:4200 (every run below is recorded there)")

    from diklat.synth.roster import coaches_frame, make_roster, write_table
    from flows.open_cohort import open_cohort
    from schemas.params import OpenCohort

    runs = []
    coaches = write_table(coaches_frame(3, seed=7), inputs / "coaches.xlsx")
    for number, start, seed in COHORTS:
        synth = make_roster(30, seed=seed, today=start, faults=FAULTS)
        roster = write_table(synth.frame, inputs / f"roster-angkatan-{number}.xlsx")
        console.print(
            f"[bold]Angkatan {number}[/]: opening on {start:%d %B %Y} from {roster.name} "
            f"({len(synth.faults)} rows with faults: {', '.join(f.fault for f in synth.faults)})"
        )
        params = OpenCohort(
            program=PROGRAMME, cohort=number, start=start, roster=str(roster), coaches=str(coaches), today=start
        )
        state = open_cohort(params, return_state=True)
        summary = state.result()
        runs.append(("open-cohort", number, summary.counts))
        if summary.rejected_file:
            fixed = _operator_fixes(Path(summary.rejected_file), synth, inputs / f"roster-angkatan-{number}-fixed.xlsx")
            console.print(f"  operator fixes {summary.counts.rows_quarantined} rows and resubmits {fixed.name}")
            state = open_cohort(params.model_copy(update={"roster": str(fixed)}), return_state=True)
            runs.append(("open-cohort (fixed rows)", number, state.result().counts))
    _summary(console, runs, time.monotonic() - started, folder)


def _operator_fixes(rejected: Path, synth, target: Path) -> Path:  # noqa: ANN001
    """What an operator does: correct each rejected row in the rejected-rows file, keep its ID."""
    from diklat.synth.roster import write_table

    frame = pd.read_excel(rejected, dtype=str)
    clean = synth.clean_frame
    fixed_rows = []
    for fault, (_, row) in zip(sorted(synth.faults, key=lambda f: f.row_number), frame.iterrows(), strict=True):
        good = clean.iloc[fault.row_number - 2].to_dict()
        good["ID KARANTINA"] = row["ID KARANTINA"]
        fixed_rows.append(good)
    return write_table(pd.DataFrame(fixed_rows), target)


def _summary(console: Console, runs: list, seconds: float, folder: Path) -> None:
    from diklat.db.uow import unit_of_work
    from diklat.store.status import cohort_status

    table = Table(title="Runs")
    for col in ("flow", "angkatan", "read", "accepted", "quarantined", "fixed earlier rows"):
        table.add_column(col)
    for flow, number, c in runs:
        table.add_row(
            flow, str(number), str(c.rows_read), str(c.rows_accepted), str(c.rows_quarantined), str(c.rows_resolved)
        )
    console.print(table)
    with unit_of_work() as session:
        cohorts = cohort_status(session, PROGRAMME)
    status = Table(title=PROGRAMME)
    for col in ("angkatan", "start", "end", "template", "enrolled", "open quarantine"):
        status.add_column(col)
    for c in cohorts:
        status.add_row(
            str(c["cohort"]), c["start"], c["end"], c["template"], str(c["enrolled"]), str(c["quarantined_open"])
        )
    console.print(status)
    console.print(
        "Stages run: cohort opening (issue #2). Not yet in the demo: milestone checks (#3), "
        "final assessment (#4), post-training evaluation (#5), planning (#6)."
    )
    console.print(f"Inputs and reports: {folder.resolve()} and {get_settings().outputs.resolve()}")
    console.print(f"Done in {seconds:.0f} s.")
