"""Shared parts of the `diklat` command: the Typer app, exit codes, error handling, option parsing.

The CLI only parses options and starts flows; read-only verbs read through the store's functions.

Exit codes: 0 all rows accepted; 3 done, with rows quarantined; 4 blocked (nothing saved: fix the
file); 2 usage error; 1 internal error (details in the data folder's error log).
"""

from __future__ import annotations

import json
import traceback
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from diklat.i18n import translator
from diklat.settings import get_settings

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_QUARANTINED, EXIT_BLOCKED = 0, 1, 2, 3, 4

app = typer.Typer(
    help="Run PKP leadership-training cohorts end to end.", no_args_is_help=True, pretty_exceptions_enable=False
)
generate_app = typer.Typer(help="Write realistic synthetic files (tests, demo, benchmarks).")
app.add_typer(generate_app, name="generate")
console = Console()


def localised_command(language: str | None = None) -> Any:
    """The ``diklat`` command with its ``--help`` texts in the operator's language (``DIKLAT_LANGUAGE``).

    Typer takes the texts from docstrings and ``help=`` as written (English, the msgids); they are
    translated here, once, on the click command tree it builds. A settings error must not hide the help:
    the texts then stay English.
    """
    import typer.main
    import typer.rich_utils

    from diklat.formtexts import TYPER_TEXTS

    command = typer.main.get_command(app)
    try:
        _ = translator(language)
    except Exception:  # noqa: BLE001 - invalid DIKLAT_* settings: the verbs will say so; help stays English
        return command
    for name, text in TYPER_TEXTS.items():  # typer's layout texts are module constants read at render time
        setattr(typer.rich_utils, name, _(text))
    _translate_help(command, _)
    return command


def _translate_help(command: Any, _: Any) -> None:
    from diklat.formtexts import HELP_OPTION_TEXT

    for attribute in ("help", "short_help"):
        if getattr(command, attribute, None):
            setattr(command, attribute, _(getattr(command, attribute)))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    own = command.get_help_option

    def help_option(ctx: Any) -> Any:  # click builds the --help option per call, with English text
        option = own(ctx)
        if option is not None:
            option.help = _(HELP_OPTION_TEXT)
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub, _)


def guard(fn: Any) -> Any:
    """Turn unexpected errors into one line and an exit code; the traceback goes to a log file."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except Exception as error:  # noqa: BLE001 - the operator gets a sentence, the log the rest
            url = _unreachable_server(error)
            if url:
                _ = translator()
                console.print(
                    _(
                        "The Prefect server at {url} does not answer, so nothing was run. Start it with "
                        "'diklat serve' (or ask whoever runs it), or point PREFECT_API_URL at the right server."
                    ).format(url=url),
                    style="red",
                )
                raise typer.Exit(EXIT_INTERNAL) from None
            log = get_settings().data_dir / "diklat-error.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc() + "\n")
            _ = translator()
            console.print(
                _("Internal error ({kind}). Details were written to {log}.").format(kind=type(error).__name__, log=log),
                style="red",
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


def _unreachable_server(error: BaseException) -> str | None:
    """The API URL when ``error`` (or what caused it) says the Prefect server could not be reached."""
    seen: BaseException | None = error
    while seen is not None:
        text = str(seen)
        if isinstance(seen, RuntimeError) and text.startswith("Failed to reach API at"):
            return text.removeprefix("Failed to reach API at").strip()
        if type(seen).__name__ in {"ConnectError", "ConnectTimeout"}:  # httpx, without importing it
            import os

            return os.environ.get("PREFECT_API_URL", "?")
        seen = seen.__cause__ or seen.__context__
    return None


def report_state(state: Any, as_json: bool, kind: str = "roster") -> int:
    """Print a flow's outcome for the operator and return the exit code."""
    from diklat.bootstrap import services
    from diklat.report.quarantine import quarantine_rows
    from diklat.store.batches import batch_quarantine

    _ = translator()
    if state.is_failed():
        outcome = state.result(raise_on_failure=False)
        from diklat.orchestration import CohortBusy

        if isinstance(outcome, CohortBusy):  # another run held the cohort too long: try again later
            console.print(str(outcome), style="bold red")
            return EXIT_BLOCKED
        if isinstance(outcome, BaseException):
            # Not a file the operator can fix but a fault: exit 1 with the details in the error log
            # (guard), never "blocked" with a database message that may name people.
            raise outcome
        if as_json:
            print(json.dumps({"outcome": "blocked", "message": state.message}))
        else:
            console.print(_("Stopped: {message}").format(message=state.message), style="bold red")
        return EXIT_BLOCKED
    summary = state.result()
    counts = summary.counts
    if as_json:
        data = {
            "outcome": summary.outcome,
            **{k: v for k, v in vars(summary).items() if k != "counts"},
            "counts": vars(counts),
        }
        print(json.dumps(data, default=str))
        return EXIT_QUARANTINED if counts.rows_quarantined else EXIT_OK
    # Read-only: the rows the run quarantined, read through the store after the flow wrote them.
    with services().unit_of_work() as session:
        rows = batch_quarantine(session, counts.batch_id)
    if not rows.empty and not counts.already_processed:
        table = Table(title=_("Rows not accepted"), show_lines=True)
        for column in (_("Row"), "NIP", _("Reasons")):
            table.add_column(column, overflow="fold")
        for rec in quarantine_rows(rows, kind, limit=50):
            table.add_row(*(str(v) for v in rec.values()))
        console.print(table)
    if counts.already_processed:
        console.print(
            _("This file was already processed (batch {batch}); nothing was changed.").format(batch=counts.batch_id),
            style="yellow",
        )
    console.print(
        _("{cohort}: {read} rows read, {accepted} accepted, {quarantined} quarantined.").format(
            cohort=summary.cohort,
            read=counts.rows_read,
            accepted=counts.rows_accepted,
            quarantined=counts.rows_quarantined,
        ),
        style="bold",
    )
    if hasattr(summary, "enrolled_total"):
        console.print(_("{total} participants enrolled.").format(total=summary.enrolled_total))
    if summary.rejected_file:
        console.print(_("Fix the rows in {path} and submit that file again.").format(path=summary.rejected_file))
    return EXIT_QUARANTINED if counts.rows_quarantined else EXIT_OK


def programme_or_only(name: str | None) -> str:
    """The programme named, or the only one there is."""
    if name:
        return name
    from diklat.bootstrap import services
    from diklat.store.lookups import programme_names

    # A read-only look-up, so no flow run: the CLI reads through the store, never writes.
    with services().unit_of_work() as session:
        names = programme_names(session)
    if len(names) != 1:
        _ = translator()
        console.print(
            _("Name the programme with --program (known: {names}).").format(names=", ".join(names) or "-"), style="red"
        )
        raise typer.Exit(EXIT_USAGE)
    return names[0]


NIP_HELP = "The participant's NIP (or seat number, or masked NIP); it stays on this machine: the run gets the seat."


def participant_reference(program: str, cohort: int, nip: str) -> str:
    """The participant as a run may name them (seat, or masked NIP): a full NIP typed here stays here."""
    from diklat.bootstrap import services
    from diklat.domain.participants import MASKED, SEAT
    from diklat.store.actions import reference_for

    if SEAT.match(nip.strip()) or MASKED.match(nip.strip()):
        return nip.strip()
    with services().unit_of_work() as session:  # a read-only look-up
        return reference_for(session, program, cohort, nip)


def day_or_today(text: str | None) -> date:
    """The date given (YYYY-MM-DD), or today in the configured time zone; a usage error otherwise."""
    from diklat.clock import today_in

    if text is None:
        return today_in(get_settings().timezone)
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"not a date (YYYY-MM-DD): {text}", style="red")
        raise typer.Exit(EXIT_USAGE) from None


def parse_params(model: Any, **fields: Any) -> Any:
    """The flow's parameter model from the options given, or a usage error (exit 2) saying what is wrong."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as error:
        console.print(str(error), style="red")
        raise typer.Exit(EXIT_USAGE) from None
