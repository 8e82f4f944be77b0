"""Verbs of the running course: open a cohort, load evidence, check milestones, decisions, status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diklat.cli.base import (
    EXIT_USAGE,
    NIP_HELP,
    app,
    console,
    day_or_today,
    guard,
    parse_params,
    participant_reference,
    programme_or_only,
    report_state,
)
from diklat.i18n import translator
from diklat.prefect_server import prepare


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
    guard(_open_cohort)(program, cohort, start, roster, coaches, template, today, as_json)


def _open_cohort(program, cohort, start, roster, coaches, template, today, as_json) -> None:  # noqa: ANN001
    from schemas.params import OpenCohort

    params = parse_params(
        OpenCohort,
        program=program,
        cohort=cohort,
        start=start,
        roster=str(roster),
        coaches=str(coaches) if coaches else None,
        template=template,
        today=today,
    )
    prepare()
    from flows.open_cohort import open_cohort

    state = open_cohort(params, return_state=True)
    raise typer.Exit(report_state(state, as_json))


@app.command("open-cohorts")
def open_cohorts_cmd(
    program: Annotated[str, typer.Option(help="Programme name, e.g. 'PKP Provinsi Jambi 2022'.")],
    manifest: Annotated[
        Path, typer.Option(help="Cohort list (.xlsx or .csv): ANGKATAN, TANGGAL MULAI, BERKAS PESERTA, BERKAS COACH.")
    ],
    template: Annotated[str | None, typer.Option(help="Template CODE, CODE@VERSION or .yaml.")] = None,
    today: Annotated[str | None, typer.Option(help="Check rules as of this date (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Open many cohorts at once from a cohort list (a province's or LAN's intake)."""
    guard(_open_cohorts)(program, manifest, template, today, as_json)


def _open_cohorts(program, manifest, template, today, as_json) -> None:  # noqa: ANN001
    from schemas.params import OpenCohorts

    params = parse_params(OpenCohorts, program=program, manifest=str(manifest), template=template, today=today)
    prepare()
    from flows.open_cohorts import open_cohorts

    state = open_cohorts(params, return_state=True)
    raise typer.Exit(report_intake(state, as_json))


def report_intake(state, as_json: bool) -> int:  # noqa: ANN001
    """Cohort by cohort counts (first 50 shown), cohorts held back, files to fix; the exit code."""
    from diklat.cli.base import EXIT_BLOCKED, EXIT_OK, EXIT_QUARANTINED
    from flows.open_cohorts import IntakeSummary

    _ = translator()
    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, IntakeSummary):  # the cohort list itself could not be used
        return report_state(state, as_json)
    code = EXIT_BLOCKED if summary.held else EXIT_QUARANTINED if summary.rows_quarantined else EXIT_OK
    if as_json:
        print(
            json.dumps(
                {
                    "outcome": "blocked" if summary.held else "quarantined" if summary.rows_quarantined else "accepted",
                    "cohorts": [
                        {"cohort": c.ref.number, "label": c.label, **vars(c.counts), "participants": c.participants}
                        for c in summary.opened
                    ],
                    "held_back": [vars(h) for h in summary.held],
                    "rejected_files": summary.rejected_files,
                },
                default=str,
            )
        )
        return code
    table = Table(title=_("Cohorts opened"))
    for column in (_("Cohort"), _("Rows read"), _("Accepted"), _("Quarantined"), _("Participants")):
        table.add_column(column)
    for c in summary.opened[:50]:
        table.add_row(
            c.label,
            *(str(v) for v in (c.counts.rows_read, c.counts.rows_accepted, c.counts.rows_quarantined)),
            str(c.participants),
        )
    console.print(table)
    console.print(
        _("{opened} cohorts opened; rows read {read} = accepted {accepted} + quarantined {quarantined}.").format(
            opened=len(summary.opened),
            read=summary.rows_read,
            accepted=summary.rows_accepted,
            quarantined=summary.rows_quarantined,
        ),
        style="bold",
    )
    for h in summary.held:
        console.print(
            _("Cohort {cohort} (row {row}): {reason}").format(cohort=h.cohort, row=h.row_number, reason=h.reason),
            style="red",
        )
    if summary.rejected_files:
        console.print(_("Rejected rows with their reasons:"))
        for path in summary.rejected_files:
            console.print(f"  {path}")
    return code


@app.command()
def ingest(
    kind: Annotated[str, typer.Argument(help="attendance, guidance, deliverables or responses.")],
    file: Annotated[Path, typer.Argument(help="The file (.xlsx or .csv).")],
    cohort: Annotated[int, typer.Option(min=1, help="Cohort (angkatan) number.")],
    program: Annotated[str | None, typer.Option(help="Programme name (default: the only one).")] = None,
    today: Annotated[str | None, typer.Option(help="Check NIPs as of this date (YYYY-MM-DD).")] = None,
    role: Annotated[
        str | None, typer.Option(help="A survey form export (responses): whose answers, alumni, atasan or rekan.")
    ] = None,
    wave: Annotated[str | None, typer.Option(help="A survey form export (responses): its wave, e.g. 3m.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Load an evidence file of a cohort (attendance, coaching/mentoring logs, deliverables, answers)."""
    guard(_ingest)(kind, file, cohort, program, today, as_json, role, wave)


def _ingest(kind, file, cohort, program, today, as_json, role=None, wave=None) -> None:  # noqa: ANN001
    from schemas.params import IngestEvidence

    prepare()
    form = {k: v for k, v in (("role", role), ("wave", wave)) if v}
    params = parse_params(
        IngestEvidence,
        kind=kind,
        file=str(file),
        cohort=cohort,
        program=programme_or_only(program),
        today=today,
        **form,
    )
    from flows.ingest_evidence import ingest_evidence

    raise typer.Exit(report_state(ingest_evidence(params, return_state=True), as_json, kind))


@app.command()
def check(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Check as of this date (default: today, WIB).")] = None,
    program: Annotated[str | None, typer.Option(help="Only this programme.")] = None,
    cohort: Annotated[int | None, typer.Option(help="Only this cohort number.")] = None,
    notify: Annotated[bool, typer.Option(help="Send notifications.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check running cohorts against their calendars: milestones, attendance, who is at risk."""
    guard(_check)(as_of, program, cohort, notify, as_json)


def _check(as_of, program, cohort, notify, as_json) -> None:  # noqa: ANN001
    from schemas.params import CheckMilestones

    prepare()
    from flows.check_milestones import check_milestones

    summary = check_milestones(CheckMilestones(as_of=as_of, program=program, cohort=cohort, notify=notify))
    if as_json:
        print(
            json.dumps(
                {
                    "as_of": summary.as_of,
                    "notifications_sent": summary.notifications_sent,
                    "cohorts": [vars(c) for c in summary.cohorts],
                },
                default=str,
            )
        )
        return
    from diklat.report.milestones import percent

    _ = translator()
    for c in summary.cohorts:
        table = Table(title=f"{c.label} ({c.as_of})")
        for column in ("NIP", _("Attendance to date"), _("Best attendance reachable"), _("Reasons")):
            table.add_column(column, overflow="fold")
        for r in c.at_risk:
            table.add_row(r["nip"], percent(r.get("attendance_pct")), percent(r["best_pct"]), r["text"])
        console.print(table if c.at_risk else _("{cohort}: nobody is at risk.").format(cohort=c.label))
    console.print(
        _("{n} cohorts checked, {risk} participants at risk, {sent} notifications sent.").format(
            n=len(summary.cohorts), risk=summary.at_risk, sent=summary.notifications_sent
        )
    )


@app.command()
def withdraw(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option(help=NIP_HELP)],
    reason: Annotated[str, typer.Option(help="Why they cannot finish.")],
    on: Annotated[str | None, typer.Option(help="Date of withdrawal (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record that a participant withdrew (tidak dapat menyelesaikan); checks stop for them."""
    guard(_decide)("withdraw", program, cohort, nip=nip, on=day_or_today(on), reason=reason)


@app.command()
def waive(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option(help=NIP_HELP)],
    milestone: Annotated[str, typer.Option(help="Milestone code, e.g. laporan_kemajuan_1.")],
    reason: Annotated[str, typer.Option()],
    on: Annotated[str | None, typer.Option(help="Effective date (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Waive one milestone for one participant (audited)."""
    guard(_decide)("waive", program, cohort, nip=nip, milestone=milestone, on=day_or_today(on), reason=reason)


@app.command("move-milestone")
def move_milestone_cmd(
    cohort: Annotated[int, typer.Option(min=1)],
    milestone: Annotated[str, typer.Option()],
    to: Annotated[str, typer.Option(help="New due date, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option()],
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Move a milestone's due date for one cohort (e.g. a postponed seminar); audited."""
    guard(_decide)("move_milestone", program, cohort, milestone=milestone, to=day_or_today(to), reason=reason)


@app.command("day-off")
def day_off(
    day: Annotated[str, typer.Option(help="The day off, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option(help="Why (e.g. the decision letter's number).")],
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Declare a day off of the agency; running cohorts' calendars move (declare-day-off)."""
    guard(_day_off)(program, day_or_today(day), reason)


def _day_off(program: str | None, day: object, reason: str) -> None:
    from schemas.params import DeclareDayOff

    prepare()
    params = parse_params(DeclareDayOff, program=programme_or_only(program), day=day, reason=reason)
    from flows.days_off import declare_day_off

    state = declare_day_off(params, return_state=True)
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        raise outcome
    _ = translator()
    if state.is_failed():
        console.print(state.message, style="red")
        raise typer.Exit(EXIT_USAGE)
    if outcome.already:
        console.print(_("Nothing to change: already recorded."))
        return
    for moved in outcome.cohorts:
        console.print(
            _("{cohort}: {sessions} classical days and {milestones} due dates moved; last day {end}.").format(
                cohort=moved.label, sessions=moved.sessions_moved, milestones=moved.milestones_moved, end=moved.new_end
            )
        )
    console.print(_("Recorded."))


def _decide(decision: str, program: str | None, cohort: int, **fields: object) -> None:
    """Start the record-decision flow and say what it did: recorded, nothing to change, or why not (exit 2)."""
    from schemas.params import RecordDecision

    prepare()
    program = programme_or_only(program)
    if "nip" in fields:  # the run is told the seat (or the masked NIP), never the NIP itself
        fields["participant"] = participant_reference(program, cohort, str(fields.pop("nip")))
    params = parse_params(RecordDecision, decision=decision, program=program, cohort=cohort, **fields)
    from flows.record_decision import record_decision

    state = record_decision(params, return_state=True)
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, BaseException):  # a crash, not a refusal: guard logs it and exits 1
        raise outcome
    _ = translator()
    if state.is_failed():  # refused: unknown cohort, participant or milestone, a date outside the cohort
        console.print(state.message, style="red")
        raise typer.Exit(EXIT_USAGE)
    console.print(_("Recorded.") if outcome else _("Nothing to change: already recorded."))


@app.command()
def status(
    program: Annotated[str | None, typer.Option(help="Only this programme.")] = None,
    cohort: Annotated[int | None, typer.Option(help="Only this cohort number.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Programmes and cohorts with enrolled and quarantined counts."""
    guard(_status)(program, cohort, as_json)


def _status(program, cohort, as_json) -> None:  # noqa: ANN001
    from diklat.bootstrap import services
    from diklat.store.status import cohort_status, milestone_overview

    prepare(prefect=False)
    # Read-only: the store's read functions in one unit of work, no flow run needed.
    with services().unit_of_work() as session:
        rows = cohort_status(session, program, cohort)
        if cohort:
            for row in rows:
                row["milestones"] = milestone_overview(session, row["cohort_id"])
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    _ = translator()
    table = Table(title=_("Cohorts"))
    headers = {
        "programme": _("Programme"),
        "cohort": _("Cohort"),
        "status": _("Status"),
        "start": _("Start"),
        "end": _("End"),
        "enrolled": _("Enrolled"),
        "withdrawn": _("Withdrawn"),
        "quarantined_open": _("Quarantined"),
    }
    for key, label in headers.items():  # dates and names never wrap; --json has every field (template...)
        table.add_column(label, no_wrap=key in ("start", "end", "status"))
    for row in rows:
        table.add_row(*(str(row[k]) for k in headers))
    console.print(table)
    for row in rows:
        if "milestones" not in row:
            continue
        detail = Table(title=f"{row['programme']} / {row['cohort']}")
        for label in (_("Milestone"), _("Due"), _("Met"), _("Missed"), _("Pending"), _("Waived")):
            detail.add_column(label)
        for m in row["milestones"]:
            due = m["due"] + (f" ({m['moved_from']})" if m["moved_from"] else "")
            detail.add_row(m["milestone"], due, *(str(m[k]) for k in ("met", "missed", "pending", "waived")))
        console.print(detail)
