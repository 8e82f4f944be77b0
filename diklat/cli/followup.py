"""Verbs after the course: post-training evaluation and next year's plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diklat.cli.base import (
    EXIT_BLOCKED,
    EXIT_OK,
    EXIT_QUARANTINED,
    app,
    console,
    guard,
    parse_params,
    programme_or_only,
)
from diklat.i18n import translator
from diklat.prefect_server import prepare


@app.command()
def evaluate(
    cohort: Annotated[int | None, typer.Option(help="Only this cohort number.")] = None,
    wave: Annotated[str | None, typer.Option(help="Only this wave, e.g. 3m or 6m.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate as of this date (default: today, WIB).")
    ] = None,
    program: Annotated[str | None, typer.Option(help="Only this programme.")] = None,
    notify: Annotated[bool, typer.Option(help="Send reminders.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Post-training evaluation: open due waves, remind, and report L1-L4 (HTML and XLSX)."""
    guard(_evaluate)(cohort, wave, as_of, program, notify, as_json)


def _evaluate(cohort, wave, as_of, program, notify, as_json) -> None:  # noqa: ANN001
    from schemas.params import Evaluate

    prepare()
    from flows.post_training_evaluation import post_training_evaluation

    summary = post_training_evaluation(
        Evaluate(
            as_of=as_of,
            program=program or (programme_or_only(None) if cohort else None),
            cohort=cohort,
            wave=wave,
            notify=notify,
        )
    )
    if as_json:
        print(json.dumps({**vars(summary), "waves": [vars(w) for w in summary.waves]}, default=str))
        return
    _ = translator()
    table = Table(title=_("Post-training evaluation, as of {date}").format(date=summary.as_of))
    keys = ("cohort", "wave", "rate", "l1_score", "l2_gain", "l3_overall", "l4_impact", "sustainability_rate")
    for key in keys:
        table.add_column(key)
    for row in summary.headlines:
        table.add_row(*(str(row.get(k) or "–") for k in keys))
    console.print(table)
    console.print(
        _("{n} alumni to follow up; {sent} reminders sent.").format(n=summary.follow_up, sent=summary.reminders_sent)
    )
    for path in summary.reports:
        console.print(f"  {path}")


@app.command()
def plan(
    personnel: Annotated[Path, typer.Option(help="The agency's personnel roster (.csv or .xlsx).")],
    program: Annotated[str, typer.Option(help="Programme to plan, e.g. 'PKP Kota Jambi 2023'.")],
    year: Annotated[int, typer.Option(help="The year the cohorts run in.")],
    cohorts: Annotated[int, typer.Option(min=1, help="Most cohorts that year.")] = 7,
    capacity: Annotated[int, typer.Option(min=1, help="Seats per cohort.")] = 30,
    max_unit_share: Annotated[
        str,
        typer.Option(
            help="Largest share of a unit's supervisors away at once (cohorts on campus together count as one)."
        ),
    ] = "0.5",
    classrooms: Annotated[int, typer.Option(min=1, help="Cohorts that can be on campus at once.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Count ages and time in post to this day.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Plan next year's cohorts from the backlog of officials still waiting for PKP."""
    guard(_plan)(personnel, program, year, cohorts, capacity, max_unit_share, classrooms, as_of, as_json)


def _plan(personnel, program, year, cohorts, capacity, max_unit_share, classrooms, as_of, as_json) -> None:  # noqa: ANN001
    from schemas.params import PlanCohorts

    prepare()
    params = parse_params(
        PlanCohorts,
        personnel=str(personnel),
        program=program,
        year=year,
        cohorts_per_year=cohorts,
        capacity=capacity,
        max_unit_share=max_unit_share,
        classrooms=classrooms,
        as_of=as_of,
    )
    from flows.plan_cohorts import plan_cohorts

    state = plan_cohorts(params, return_state=True)
    if state.is_failed():
        console.print(state.message, style="bold red")
        raise typer.Exit(EXIT_BLOCKED)
    summary = state.result()
    if as_json:
        print(json.dumps({**vars(summary), "counts": vars(summary.counts)}, default=str))
        return
    _ = translator()
    table = Table(title=program)
    for column in (_("Cohort"), _("Start"), _("End"), _("Participants"), _("In post")):
        table.add_column(column)
    for c in summary.cohorts:
        table.add_row(str(c["cohort"]), c["start"], c["end"], str(c["members"]), str(c["in_post"]))
    console.print(table)
    console.print(
        _("Backlog: {n} eligible officials without PKP ({in_post} already in a supervisory post).").format(
            n=summary.backlog, in_post=summary.in_post
        )
    )
    for key in ("backlog", "plan"):
        console.print(f"  {summary.files[key]}")
    raise typer.Exit(EXIT_QUARANTINED if summary.counts.rows_quarantined else EXIT_OK)
