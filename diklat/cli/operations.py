"""Verbs of operations: serve deployments, alerts, failures, migrations, the demo, synthetic files."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diklat.cli.base import (
    EXIT_USAGE,
    app,
    console,
    generate_app,
    guard,
)
from diklat.i18n import translator
from diklat.prefect_server import prepare
from diklat.settings import get_settings


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


@generate_app.command("cohort")
def generate_cohort(
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")],
    rows: Annotated[int, typer.Option(min=2, help="Number of officials.")] = 30,
    faults: Annotated[int, typer.Option(min=0, help="Bad rows in every file.")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 1,
    start: Annotated[str, typer.Option(help="First day of the cohort (YYYY-MM-DD).")] = "2022-07-14",
) -> None:
    """Every file of one cohort: roster, coaches, evidence, scores, examiners, answers, cohort list."""
    from diklat.synth.cohort_files import write_cohort_files
    from diklat.templates import resolve_template

    written = write_cohort_files(out, resolve_template("PKP"), rows, faults, seed, date.fromisoformat(start))
    for w in written:
        console.print(f"{w.kind:<20} {w.path}: {w.rows} rows, {w.bad_rows} bad")


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
def serve(
    port: Annotated[int, typer.Option(help="Port of the local Prefect server.")] = 4200,
    host: Annotated[
        str,
        typer.Option(
            help="Address the server listens on. Anything but 127.0.0.1 needs PREFECT_SERVER_API_AUTH_STRING "
            "(user:password) set; see deployments/README.md for HTTPS."
        ),
    ] = "127.0.0.1",
    worker: Annotated[bool, typer.Option(help="Start a worker after deploying (Ctrl+C stops it).")] = True,
) -> None:
    """Start (or reuse) the local Prefect server, deploy every flow, and run a worker for them."""
    import os

    from diklat import deploy
    from diklat.prefect_server import UnprotectedServer, check_exposure, ensure_server

    settings = get_settings()
    _ = translator()
    try:
        check_exposure(host)
    except UnprotectedServer:
        console.print(
            _(
                "Refusing to serve the console on {host} without a login: anyone who can reach it could start, "
                "cancel and read every run. Set PREFECT_SERVER_API_AUTH_STRING=user:password (and put HTTPS in "
                "front, see deployments/README.md), or serve on 127.0.0.1."
            ).format(host=host),
            style="red",
        )
        raise typer.Exit(EXIT_USAGE) from None
    guard(prepare)(prefect=False)
    if "PREFECT_API_URL" not in os.environ:
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        from diklat.prefect_server import healthy

        if not healthy(os.environ["PREFECT_API_URL"]):
            del os.environ["PREFECT_API_URL"]
            ensure_server(settings.data_dir, port, host=host)
    api = os.environ["PREFECT_API_URL"]
    from diklat.console import register

    env = register(settings, api)  # deployments in the operator's language, crash detection, alerts
    console.print(f"Deployments registered. Prefect UI: {api.removesuffix('/api')}")
    if worker:
        console.print(f"Worker on pool {deploy.WORK_POOL}, inbox watcher on {settings.inbox} (Ctrl+C to stop).")
        watcher = deploy.start_watcher(env)
        pages = deploy.start_public(env)
        console.print(f"Public pages on port {settings.public_port}, links point to {settings.public_url}.")
        try:
            raise typer.Exit(deploy.start_worker(env).wait())
        finally:
            watcher.terminate()
            pages.terminate()


@app.command()
def public() -> None:
    """Serve the public pages: questionnaires by one-time link and certificate verification (DIKLAT_PUBLIC_PORT).

    Put an HTTPS proxy in front and set DIKLAT_PUBLIC_URL to its address (deployments/README.md).
    """
    from diklat.public.app import serve as serve_pages

    settings = get_settings()
    guard(prepare)(prefect=False)
    console.print(
        f"Public pages on http://{settings.public_host}:{settings.public_port} "
        f"(links and QR codes point to {settings.public_url}; Ctrl+C to stop)."
    )
    serve_pages(settings)


@app.command("public-role")
def public_role(
    role: Annotated[str, typer.Option(help="PostgreSQL role the public pages log in as.")] = "diklat_public",
    password: Annotated[
        str | None, typer.Option(help="Its password (omit where the server trusts local connections).")
    ] = None,
) -> None:
    """Create (or update) the public pages' own PostgreSQL role: read-only but for answers and invitations.

    Then set DIKLAT_PUBLIC_DATABASE_URL to a URL that logs in as that role.
    """
    from diklat.bootstrap import services
    from diklat.store.roles import grant_public_role

    guard(prepare)(prefect=False)
    with services().unit_of_work() as session:
        granted = guard(grant_public_role)(session, role, password)
    console.print(f"Role {role}: read-only, writes only {', '.join(granted)}.")


@app.command()
def stop() -> None:
    """Stop the worker, the inbox watcher and the local Prefect server that `diklat demo` left running."""
    from diklat.console import stop_background

    stopped = stop_background(get_settings())
    console.print(f"Stopped: {', '.join(stopped)}." if stopped else "Nothing started by diklat is running.")


@app.command()
def worker(
    runs: Annotated[int | None, typer.Option(help="Flow runs carried at once (default DIKLAT_WORKER_RUNS).")] = None,
) -> None:
    """Run a worker for the deployments on the server in PREFECT_API_URL (a worker machine; `serve` starts one)."""
    from prefect.settings import PREFECT_API_URL

    from diklat import deploy

    settings = get_settings()
    _ = translator()
    api = PREFECT_API_URL.value()
    if not api:
        console.print(
            _("No Prefect server to work for: set PREFECT_API_URL to its API address (see deployments/README.md)."),
            style="red",
        )
        raise typer.Exit(EXIT_USAGE)
    guard(prepare)(prefect=False)
    console.print(f"Worker on pool {deploy.WORK_POOL} for {api} (Ctrl+C to stop).")
    command, env = deploy.worker_command(deploy.worker_environment(settings, api), runs=runs)
    # This process becomes the worker (or its zygote): a service manager's signals reach it directly.
    os.chdir(deploy.ROOT)
    sys.stdout.flush()
    os.execve(command[0], command, env)  # noqa: S606


@app.command()
def watch() -> None:
    """Watch the inbox (DIKLAT_INBOX_DIR): start the run each dropped file asks for (`serve` starts this)."""
    from diklat.inbox import watch as watch_inbox

    settings = get_settings()
    guard(prepare)()
    console.print(f"Watching {settings.inbox} (Ctrl+C to stop).")
    try:
        watch_inbox(
            settings.inbox, settings.inbox_poll_seconds, settings.inbox_settle_seconds, settings.inbox_confirm_seconds
        )
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command("setup-alerts")
def setup_alerts(
    webhook: Annotated[str | None, typer.Option(help="URL to POST to (default: DIKLAT_FAILURE_WEBHOOK_URL).")] = None,
) -> None:
    """Create (or update) the automation that calls a webhook on every failed or crashed flow run."""
    from diklat.monitoring import AUTOMATION_NAME, setup_failure_alerts

    url = webhook or get_settings().failure_webhook_url
    if not url:
        console.print("Give --webhook or set DIKLAT_FAILURE_WEBHOOK_URL.", style="red")
        raise typer.Exit(EXIT_USAGE)
    guard(prepare)()
    automation_id = guard(setup_failure_alerts)(url)
    console.print(f"{AUTOMATION_NAME}: {automation_id}")


@app.command()
def failures(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Failed runs and quarantined rows still waiting for a fix, with the reason and the fix, oldest first."""
    guard(_failures)(as_json)


def _failures(as_json: bool) -> None:
    from diklat.bootstrap import services
    from diklat.monitoring import failed_runs
    from diklat.report.quarantine import reasons_text
    from diklat.store.batches import open_quarantine

    prepare()
    _ = translator()
    runs = failed_runs()
    # Read-only: the store's read function in one unit of work, no flow run needed.
    with services().unit_of_work() as session:
        rows = open_quarantine(session)
    waiting = [
        {
            "when": str(r.created_at),
            "kind": r.kind,
            "scope": r.scope,
            "file": r.file_name,
            "row": int(r.row_number),
            "reasons": reasons_text(r.reasons, r.kind, None, mask=True),
        }
        for r in rows.itertuples(index=False)
    ]
    if as_json:
        print(json.dumps({"failed_runs": runs, "quarantined_rows": waiting}, indent=2, default=str))
        return
    table = Table(title=_("Failed runs"), show_lines=True)
    for column in (_("When"), _("Flow"), _("Run"), _("Reason and fix")):
        table.add_column(column, overflow="fold")
    for run in runs:
        table.add_row(run["when"][:19], run["flow"], run["run"], run["message"])
    console.print(table if runs else _("No failed runs."))
    table = Table(title=_("Quarantined rows waiting for a fix"), show_lines=True)
    for column in (_("When"), _("File"), _("Row"), _("Reason and fix")):
        table.add_column(column, overflow="fold")
    for row in waiting:
        table.add_row(row["when"][:19], row["file"], str(row["row"]), row["reasons"])
    console.print(table if waiting else _("No quarantined rows are waiting."))


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (every other command does this too)."""
    guard(prepare)(prefect=False)
    console.print(f"database ready: {get_settings().sqlalchemy_url}")


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Folder for the demo's data and reports.")] = None,
) -> None:
    """The seed scenario: PKP Kota Jambi 2022 (see README)."""
    from diklat.demo import run_demo

    guard(run_demo)(out, console)


def main() -> None:  # pragma: no cover - console entry point
    from diklat.cli.base import localised_command

    try:
        code = localised_command()(prog_name="diklat")
    except SystemExit as stop:
        code = stop.code
    _leave(code)


def _leave(code: object) -> None:
    """Exit once every exit handler ran (Prefect's log and event flushes, logging's), without tearing
    the interpreter down: dismantling the modules of Great Expectations, pandas and Prefect one by one
    took 0.5 s of the 4.1 s an operator waited for ``diklat open-cohort``. Every thread left is a daemon.
    """
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`diklat status | head`), or a closed stream
            pass
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
