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

app = typer.Typer(
    help="Run PKP leadership-training cohorts end to end.", no_args_is_help=True, pretty_exceptions_enable=False
)
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
            console.print(
                _("Internal error ({kind}). Details were written to {log}.").format(kind=type(error).__name__, log=log),
                style="red",
            )
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
        params = OpenCohort(
            program=program,
            cohort=cohort,
            start=start,
            roster=str(roster),
            coaches=str(coaches) if coaches else None,
            template=template,
            today=today,
        )
    except ValidationError as error:
        console.print(str(error), style="red")
        raise typer.Exit(EXIT_USAGE) from None
    _prepare()
    from flows.open_cohort import open_cohort

    state = open_cohort(params, return_state=True)
    raise typer.Exit(report_state(state, as_json))


def report_state(state: Any, as_json: bool, kind: str = "roster") -> int:
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
        data = {
            "outcome": summary.outcome,
            **{k: v for k, v in vars(summary).items() if k != "counts"},
            "counts": vars(counts),
        }
        print(json.dumps(data, default=str))
        return EXIT_QUARANTINED if counts.rows_quarantined else EXIT_OK
    rows = batch_quarantine(counts.batch_id)
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


@app.command()
def ingest(
    kind: Annotated[str, typer.Argument(help="attendance, guidance or deliverables.")],
    file: Annotated[Path, typer.Argument(help="The file (.xlsx or .csv).")],
    cohort: Annotated[int, typer.Option(min=1, help="Cohort (angkatan) number.")],
    program: Annotated[str | None, typer.Option(help="Programme name (default: the only one).")] = None,
    today: Annotated[str | None, typer.Option(help="Check NIPs as of this date (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Load an evidence file of a cohort (attendance, coaching/mentoring logs, deliverables)."""
    _guard(_ingest)(kind, file, cohort, program, today, as_json)


def _ingest(kind, file, cohort, program, today, as_json) -> None:  # noqa: ANN001
    from pydantic import ValidationError

    from schemas.params import IngestEvidence

    _prepare()
    try:
        params = IngestEvidence(kind=kind, file=str(file), cohort=cohort, program=_programme(program), today=today)
    except ValidationError as error:
        console.print(str(error), style="red")
        raise typer.Exit(EXIT_USAGE) from None
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
    _guard(_check)(as_of, program, cohort, notify, as_json)


def _check(as_of, program, cohort, notify, as_json) -> None:  # noqa: ANN001
    from schemas.params import CheckMilestones

    _prepare()
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
    _ = translator()
    for c in summary.cohorts:
        table = Table(title=f"{c.label} ({c.as_of})")
        for column in ("NIP", _("Best attendance reachable"), _("Reasons")):
            table.add_column(column, overflow="fold")
        for r in c.at_risk:
            table.add_row(r["nip"], f"{r['best_pct']:.2f} %", r["text"])
        console.print(table if c.at_risk else _("{cohort}: nobody is at risk.").format(cohort=c.label))
    console.print(
        _("{n} cohorts checked, {risk} participants at risk, {sent} notifications sent.").format(
            n=len(summary.cohorts), risk=summary.at_risk, sent=summary.notifications_sent
        )
    )


@app.command()
def assess(
    cohort: Annotated[int, typer.Option(min=1, help="Cohort (angkatan) number.")],
    scores: Annotated[Path, typer.Option(help="Score sheet: NIP, KOMPONEN, NILAI, PENILAI.")],
    assessors: Annotated[Path | None, typer.Option(help="Examiners besides the coaches: NIP, NAMA.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Assessment date (default: the cohort's last day).")
    ] = None,
    program: Annotated[str | None, typer.Option(help="Programme name (default: the only one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Final assessment: grade the cohort, issue STTP certificates, write the recap (rekap nilai)."""
    _guard(_assess)(cohort, scores, assessors, as_of, program, as_json)


def _assess(cohort, scores, assessors, as_of, program, as_json) -> None:  # noqa: ANN001
    from pydantic import ValidationError

    from schemas.params import FinalAssessment

    _prepare()
    try:
        params = FinalAssessment(
            program=_programme(program),
            cohort=cohort,
            scores=str(scores),
            assessors=str(assessors) if assessors else None,
            as_of=as_of,
        )
    except ValidationError as error:
        console.print(str(error), style="red")
        raise typer.Exit(EXIT_USAGE) from None
    from flows.final_assessment import final_assessment

    state = final_assessment(params, return_state=True)
    code = report_state(state, as_json, "scores")
    if state.is_completed() and not as_json:
        _ = translator()
        summary = state.result()
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(summary.graded.statuses.items()))
        console.print(_("Results: {statuses}.").format(statuses=statuses))
        console.print(
            _("Certificates: {reserved} numbers reserved, {issued} issued, {reissued} re-issued.").format(
                reserved=summary.certificates.reserved,
                issued=summary.certificates.issued,
                reissued=summary.certificates.reissued,
            )
        )
        for path in [*summary.recap, *([summary.certificates.archive] if summary.certificates.archive else [])]:
            console.print(f"  {path}")
    raise typer.Exit(code)


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
    _guard(_evaluate)(cohort, wave, as_of, program, notify, as_json)


def _evaluate(cohort, wave, as_of, program, notify, as_json) -> None:  # noqa: ANN001
    from schemas.params import Evaluate

    _prepare()
    from flows.post_training_evaluation import post_training_evaluation

    summary = post_training_evaluation(
        Evaluate(
            as_of=as_of,
            program=program or (_programme(None) if cohort else None),
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
    max_unit_share: Annotated[str, typer.Option(help="Largest share of a unit's supervisors in one cohort.")] = "0.5",
    classrooms: Annotated[int, typer.Option(min=1, help="Cohorts that can be on campus at once.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Count ages and time in post to this day.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Plan next year's cohorts from the backlog of officials still waiting for PKP."""
    _guard(_plan)(personnel, program, year, cohorts, capacity, max_unit_share, classrooms, as_of, as_json)


def _plan(personnel, program, year, cohorts, capacity, max_unit_share, classrooms, as_of, as_json) -> None:  # noqa: ANN001
    from pydantic import ValidationError

    from schemas.params import PlanCohorts

    _prepare()
    try:
        params = PlanCohorts(
            personnel=str(personnel),
            program=program,
            year=year,
            cohorts_per_year=cohorts,
            capacity=capacity,
            max_unit_share=max_unit_share,
            as_of=as_of,
        )
    except ValidationError as error:
        console.print(str(error), style="red")
        raise typer.Exit(EXIT_USAGE) from None
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


@app.command("clear-deferral")
def clear_deferral_cmd(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option(help="What was received.")],
    on: Annotated[str | None, typer.Option(help="Date of the decision (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Turn a deferred pass (lulus tertunda) into a pass; the certificate keeps its number."""
    _guard(_clear)(cohort, nip, reason, on, program)


def _clear(cohort, nip, reason, on, program) -> None:  # noqa: ANN001
    from schemas.params import ClearDeferral

    _prepare()
    from flows.final_assessment import clear_deferral

    state = clear_deferral(
        ClearDeferral(program=_programme(program), cohort=cohort, nip=nip, reason=reason, on=_day(on)),
        return_state=True,
    )
    _ = translator()
    if state.is_failed():
        console.print(state.message, style="red")
        raise typer.Exit(EXIT_USAGE)
    console.print(_("Recorded.") + " " + str(state.message))


@app.command()
def verify(code: Annotated[str, typer.Argument(help="The verification code printed on the certificate.")]) -> None:
    """Check a certificate (STTP) by its verification code."""
    from diklat.db.uow import unit_of_work
    from diklat.store.assessment import verify as lookup

    _guard(_prepare)(prefect=False)
    _ = translator()
    with unit_of_work() as session:
        found = lookup(session, code)
    if found is None:
        console.print(_("No certificate has this verification code."), style="bold red")
        raise typer.Exit(EXIT_BLOCKED)
    state = _("VALID") if found["valid"] else _("NOT VALID (revoked or not issued)")
    console.print(f"{state}: {found['number']} v{found['version']}", style="bold green" if found["valid"] else "red")
    console.print(
        f"{found['name']} ({found['nip']}), {found['programme']} / {found['cohort']}, "
        f"{found['qualification']}, {found['issued_on']}"
    )
    raise typer.Exit(EXIT_OK if found["valid"] else EXIT_BLOCKED)


def _programme(name: str | None) -> str:
    """The programme named, or the only one there is."""
    if name:
        return name
    from sqlalchemy import select

    from diklat.db.uow import unit_of_work
    from schemas.tables import Programme

    with unit_of_work() as session:
        names = list(session.scalars(select(Programme.name)))
    if len(names) != 1:
        _ = translator()
        console.print(
            _("Name the programme with --program (known: {names}).").format(names=", ".join(names) or "-"), style="red"
        )
        raise typer.Exit(EXIT_USAGE)
    return names[0]


def _decision(action: str, program: str | None, cohort: int, **kwargs: Any) -> None:
    """Record an operator decision (withdraw, waive, move) in one transaction, or say why not."""
    from diklat.db.uow import unit_of_work
    from diklat.domain.problems import Problem
    from diklat.messages import render
    from diklat.store import actions
    from diklat.store.cohorts import find_cohort

    _prepare(prefect=False)
    _ = translator()
    name = _programme(program)
    try:
        with unit_of_work() as session:
            ref = find_cohort(session, name, cohort)
            if ref is None:
                raise actions.ActionRefused("cohort.unknown", program=name, cohort=cohort)
            changed = getattr(actions, action)(session, ref, actor="operator", **kwargs)
    except actions.ActionRefused as refused:
        console.print(render(Problem(refused.code, None, refused.params)), style="red")
        raise typer.Exit(EXIT_USAGE) from None
    console.print(_("Recorded.") if changed else _("Nothing to change: already recorded."))


@app.command()
def withdraw(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option(help="The participant's NIP.")],
    reason: Annotated[str, typer.Option(help="Why they cannot finish.")],
    on: Annotated[str | None, typer.Option(help="Date of withdrawal (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record that a participant withdrew (tidak dapat menyelesaikan); checks stop for them."""
    _guard(_decision)("withdraw", program, cohort, nip=nip, on=_day(on), reason=reason)


@app.command()
def waive(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option()],
    milestone: Annotated[str, typer.Option(help="Milestone code, e.g. laporan_kemajuan_1.")],
    reason: Annotated[str, typer.Option()],
    on: Annotated[str | None, typer.Option(help="Effective date (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Waive one milestone for one participant (audited)."""
    _guard(_decision)("waive", program, cohort, nip=nip, milestone=milestone, on=_day(on), reason=reason)


@app.command("move-milestone")
def move_milestone_cmd(
    cohort: Annotated[int, typer.Option(min=1)],
    milestone: Annotated[str, typer.Option()],
    to: Annotated[str, typer.Option(help="New due date, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option()],
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Move a milestone's due date for one cohort (e.g. a postponed seminar); audited."""
    _guard(_decision)("move_milestone", program, cohort, milestone=milestone, to=_day(to), reason=reason)


def _day(text: str | None) -> date:
    from diklat.clock import today_in

    if text is None:
        return today_in(get_settings().timezone)
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"not a date (YYYY-MM-DD): {text}", style="red")
        raise typer.Exit(EXIT_USAGE) from None


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
    from diklat.store.status import cohort_status, milestone_overview

    _prepare(prefect=False)
    with unit_of_work() as session:
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
def serve(
    port: Annotated[int, typer.Option(help="Port of the local Prefect server.")] = 4200,
    worker: Annotated[bool, typer.Option(help="Start a worker after deploying (Ctrl+C stops it).")] = True,
) -> None:
    """Start (or reuse) the local Prefect server, deploy every flow, and run a worker for them."""
    import os

    from diklat import deploy
    from diklat.prefect_server import ensure_server

    settings = get_settings()
    _guard(_prepare)(prefect=False)
    if "PREFECT_API_URL" not in os.environ:
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        from diklat.prefect_server import healthy

        if not healthy(os.environ["PREFECT_API_URL"]):
            del os.environ["PREFECT_API_URL"]
            ensure_server(settings.data_dir, port)
    api = os.environ["PREFECT_API_URL"]
    env = deploy.worker_environment(settings, api)
    deploy.ensure_work_pool()
    deploy.deploy_all(env)
    if settings.failure_webhook_url:
        from diklat.monitoring import setup_failure_alerts

        setup_failure_alerts(settings.failure_webhook_url)
    console.print(f"Deployments registered. Prefect UI: {api.removesuffix('/api')}")
    if worker:
        console.print(f"Worker on pool {deploy.WORK_POOL} (Ctrl+C to stop).")
        raise typer.Exit(deploy.start_worker(env).wait())


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
    _guard(_prepare)()
    automation_id = _guard(setup_failure_alerts)(url)
    console.print(f"{AUTOMATION_NAME}: {automation_id}")


@app.command()
def failures(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Failed runs and quarantined rows still waiting for a fix, with the reason and the fix, oldest first."""
    _guard(_failures)(as_json)


def _failures(as_json: bool) -> None:
    from diklat.db.uow import unit_of_work
    from diklat.monitoring import failed_runs
    from diklat.report.quarantine import reasons_text
    from diklat.store.batches import open_quarantine

    _prepare()
    _ = translator()
    runs = failed_runs()
    with unit_of_work() as session:
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
