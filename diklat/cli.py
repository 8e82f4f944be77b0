"""The `diklat` command: each verb runs the same flow an operator runs from the Prefect UI.

Exit codes: 0 all rows accepted; 3 done, with rows quarantined; 4 blocked (nothing saved: fix the
file); 2 usage error; 1 internal error (details in the data folder's error log).
"""

from __future__ import annotations

import json
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from diklat.i18n import translator
from diklat.settings import get_settings

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_QUARANTINED, EXIT_BLOCKED = 0, 1, 2, 3, 4

app = typer.Typer(help="Run PKP leadership-training cohorts end to end.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
generate_app = typer.Typer(help="Write realistic synthetic files (tests, demo, benchmarks).")
app.add_typer(generate_app, name="generate")
console = Console()


def _prepare(prefect: bool = True) -> None:
    """Migrate the database; find or start the local Prefect server (before Prefect is imported)."""
    from diklat.db.migrate import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.sqlalchemy_url)
    if prefect:
        from diklat.prefect_server import ensure_server

        ensure_server(settings.data_dir)


def _guard(fn: Any) -> Any:
    """Turn unexpected errors into one line and an exit code; the traceback goes to a log file."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except Exception as error:  # noqa: BLE001 - the operator gets a sentence, the log the rest
            log = get_settings().data_dir / "diklat-error.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc() + "\n")
            _ = translator()
            console.print(_("Internal error ({kind}). Details were written to {log}.")
                          .format(kind=type(error).__name__, log=log), style="red")
            raise typer.Exit(EXIT_INTERNAL) from None
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


@app.command("open-cohort")
def open_cohort_cmd(
    program: Annotated[str, typer.Option(help="Programme name, e.g. 'PKP Kota Jambi 2022'.")],
    cohort: Annotated[int, typer.Option(min=1, help="Cohort (angkatan) number.")],
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    roster: Annotated[Path, typer.Option(help="Roster file (.xlsx or .csv).")],
    coaches: Annotated[Path | None, typer.Option(help="Coaches file (NIP, NAMA, EMAIL).")] = None,
    template: Annotated[str | None, typer.Option(help="Template CODE, CODE@VERSION or .yaml.")] = None,
    today: Annotated[str | None, typer.Option(help="Check rules as of this date (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Open (or top up) a cohort from a roster file."""
    _guard(_open_cohort)(program, cohort, start, roster, coaches, template, today, as_json)


def _open_cohort(program, cohort, start, roster, coaches, template, today, as_json) -> None:  # noqa: ANN001
    from pydantic import ValidationError

    from schemas.params import OpenCohort

    try:
        params = OpenCohort(program=program, cohort=cohort, start=start, roster=str(roster),
                            coaches=str(coaches) if coaches else None, template=template, today=today)
    except ValidationError as error:
        console.print(str(error), style="red")
        raise typer.Exit(EXIT_USAGE) from None
    _prepare()
    from flows.open_cohort import open_cohort

    state = open_cohort(params, return_state=True)
    raise typer.Exit(report_state(state, as_json))


def report_state(state: Any, as_json: bool) -> int:
    """Print a flow's outcome for the operator and return the exit code."""
    from diklat.report.quarantine import quarantine_rows
    from tasks.reports import batch_quarantine

    _ = translator()
    if state.is_failed():
        if as_json:
            print(json.dumps({"outcome": "blocked", "message": state.message}))
        else:
            console.print(_("Stopped: {message}").format(message=state.message), style="bold red")
        return EXIT_BLOCKED
    summary = state.result()
    counts = summary.counts
    if as_json:
        data = {"outcome": summary.outcome, **{k: v for k, v in vars(summary).items() if k != "counts"},
                "counts": vars(counts)}
        print(json.dumps(data, default=str))
    else:
        rows = batch_quarantine(counts.batch_id)
        if not rows.empty:
            table = Table(title=_("Rows not accepted"), show_lines=True)
            for column in (_("Row"), "NIP", _("Reasons")):
                table.add_column(column, overflow="fold")
            for rec in quarantine_rows(rows, "roster", limit=50):
                table.add_row(*(str(v) for v in rec.values()))
            console.print(table)
        if counts.already_processed:
            console.print(_("This file was already processed (batch {batch}); nothing was changed.")
                          .format(batch=counts.batch_id), style="yellow")
        console.print(_("{cohort}: {read} rows read, {accepted} accepted, {quarantined} quarantined; "
                        "{total} participants enrolled.").format(
            cohort=summary.cohort, read=counts.rows_read, accepted=counts.rows_accepted,
            quarantined=counts.rows_quarantined, total=summary.enrolled_total), style="bold")
        if summary.rejected_file:
            console.print(_("Fix the rows in {path} and submit that file again.").format(path=summary.rejected_file))
    return EXIT_QUARANTINED if counts.rows_quarantined else EXIT_OK


@app.command()
def status(
    program: Annotated[str | None, typer.Option(help="Only this programme.")] = None,
    cohort: Annotated[int | None, typer.Option(help="Only this cohort number.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Programmes and cohorts with enrolled and quarantined counts."""
    _guard(_status)(program, cohort, as_json)


def _status(program, cohort, as_json) -> None:  # noqa: ANN001
    from diklat.db.uow import unit_of_work
    from diklat.store.status import cohort_status

    _prepare(prefect=False)
    with unit_of_work() as session:
        rows = cohort_status(session, program, cohort)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    _ = translator()
    table = Table(title=_("Cohorts"))
    headers = {"programme": _("Programme"), "cohort": _("Cohort"), "status": _("Status"),
               "start": _("Start"), "end": _("End"), "template": _("Template"), "capacity": _("Capacity"),
               "enrolled": _("Enrolled"), "withdrawn": _("Withdrawn"), "quarantined_open": _("Quarantined")}
    for label in headers.values():
        table.add_column(label)
    for row in rows:
        table.add_row(*(str(row[k]) for k in headers))
    console.print(table)


@generate_app.command("roster")
def generate_roster(
    out: Annotated[Path, typer.Option(help="File to write (.xlsx or .csv).")],
    rows: Annotated[int, typer.Option(min=1, help="Number of officials.")] = 30,
    faults: Annotated[int, typer.Option(min=0, help="Rows with realistic faults.")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same file).")] = 1,
    today: Annotated[str, typer.Option(help="Date the people's ages are computed at.")] = "2022-07-14",
    corrected: Annotated[Path | None, typer.Option(help="Also write the fault-free version here.")] = None,
) -> None:
    """A cohort roster (Indonesian headers), optionally with injected faults."""
    from diklat.synth.roster import make_roster, write_table

    synth = make_roster(rows, seed=seed, today=date.fromisoformat(today), faults=faults)
    write_table(synth.frame, out)
    if corrected:
        write_table(synth.clean_frame, corrected)
    for fault in synth.faults:
        console.print(f"row {fault.row_number}: {fault.fault}")
    console.print(f"{out}: {len(synth.frame)} rows, {len(synth.faults)} with faults")


@generate_app.command("coaches")
def generate_coaches(
    out: Annotated[Path, typer.Option(help="File to write (.xlsx or .csv).")],
    rows: Annotated[int, typer.Option(min=1)] = 3,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """A list of coaches (widyaiswara)."""
    from diklat.synth.roster import coaches_frame, write_table

    write_table(coaches_frame(rows, seed=seed), out)
    console.print(f"{out}: {rows} coaches")


@generate_app.command("personnel")
def generate_personnel(
    out: Annotated[Path, typer.Option(help="File to write (.csv recommended for large rosters).")],
    rows: Annotated[int, typer.Option(min=1)] = 2000,
    seed: Annotated[int, typer.Option()] = 1,
    today: Annotated[str, typer.Option()] = "2022-12-31",
) -> None:
    """An agency's whole personnel roster (for planning)."""
    from diklat.synth.personnel import personnel_frame
    from diklat.synth.roster import write_table

    write_table(personnel_frame(rows, seed=seed, today=date.fromisoformat(today)), out)
    console.print(f"{out}: {rows} officials")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (every other command does this too)."""
    _guard(_prepare)(prefect=False)
    console.print(f"database ready: {get_settings().sqlalchemy_url}")


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Folder for the demo's data and reports.")] = None,
) -> None:
    """The seed scenario: PKP Kota Jambi 2022 (see README)."""
    from diklat.demo import run_demo

    _guard(run_demo)(out, console)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
