"""Verbs of the final assessment: grade and certify, clear a deferred pass, verify a certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from diklat.cli.base import (
    EXIT_BLOCKED,
    EXIT_OK,
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
    guard(_assess)(cohort, scores, assessors, as_of, program, as_json)


def _assess(cohort, scores, assessors, as_of, program, as_json) -> None:  # noqa: ANN001
    from schemas.params import FinalAssessment

    prepare()
    params = parse_params(
        FinalAssessment,
        program=programme_or_only(program),
        cohort=cohort,
        scores=str(scores),
        assessors=str(assessors) if assessors else None,
        as_of=as_of,
    )
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


@app.command("assess-cohorts")
def assess_cohorts_cmd(
    manifest: Annotated[
        Path, typer.Option(help="Cohort list (.xlsx or .csv): ANGKATAN, BERKAS NILAI, BERKAS PENILAI.")
    ],
    program: Annotated[str | None, typer.Option(help="Programme name (default: the only one).")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Assessment date (default: each cohort's last day).")
    ] = None,
    documents: Annotated[
        bool, typer.Option("--documents/--no-documents", help="Write certificate PDFs and recaps now.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Final assessment of many cohorts at once from a cohort list of score sheets."""
    guard(_assess_cohorts)(manifest, program, as_of, documents, as_json)


def _assess_cohorts(manifest, program, as_of, documents, as_json) -> None:  # noqa: ANN001
    import json

    from diklat.cli.base import EXIT_QUARANTINED
    from schemas.params import AssessCohorts

    prepare()
    params = parse_params(
        AssessCohorts, program=programme_or_only(program), manifest=str(manifest), as_of=as_of, documents=documents
    )
    from flows.assess_cohorts import BatchAssessment, assess_cohorts

    state = assess_cohorts(params, return_state=True)
    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, BatchAssessment):  # the cohort list itself could not be used
        raise typer.Exit(report_state(state, as_json, "manifest"))
    code = EXIT_BLOCKED if summary.held else EXIT_QUARANTINED if summary.rows_quarantined else EXIT_OK
    _ = translator()
    if as_json:
        data = {
            "statuses": summary.statuses,
            "cohorts": [
                {"cohort": c.ref.number, "label": c.label, **vars(c.counts), "statuses": c.graded.statuses}
                for c in summary.assessed
            ],
            "held_back": [vars(h) for h in summary.held],
        }
        print(json.dumps(data, default=str))
        raise typer.Exit(code)
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(summary.statuses.items()))
    console.print(
        _("{graded} cohorts graded, {held} held back; score rows quarantined: {quarantined}.").format(
            graded=len(summary.assessed), held=len(summary.held), quarantined=summary.rows_quarantined
        ),
        style="bold",
    )
    console.print(_("Results: {statuses}.").format(statuses=statuses))
    for h in summary.held:
        console.print(
            _("Cohort {cohort} (row {row}): {reason}").format(cohort=h.cohort, row=h.row_number, reason=h.reason),
            style="red",
        )
    rejected = [c.rejected_file for c in summary.assessed if c.rejected_file]
    if rejected:
        console.print(_("Rejected rows with their reasons:"))
        for path in rejected:
            console.print(f"  {path}")
    raise typer.Exit(code)


@app.command("clear-deferral")
def clear_deferral_cmd(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option(help=NIP_HELP)],
    reason: Annotated[str, typer.Option(help="What was received.")],
    on: Annotated[str | None, typer.Option(help="Date of the decision (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Turn a deferred pass (lulus tertunda) into a pass; the certificate keeps its number."""
    guard(_clear)(cohort, nip, reason, on, program)


def _clear(cohort, nip, reason, on, program) -> None:  # noqa: ANN001
    from schemas.params import ClearDeferral

    prepare()
    from flows.final_assessment import clear_deferral

    program = programme_or_only(program)
    participant = participant_reference(program, cohort, nip)  # the NIP itself never reaches Prefect
    state = clear_deferral(
        ClearDeferral(program=program, cohort=cohort, participant=participant, reason=reason, on=day_or_today(on)),
        return_state=True,
    )
    _ = translator()
    if state.is_failed():
        console.print(state.message, style="red")
        raise typer.Exit(EXIT_USAGE)
    console.print(_("Recorded.") + " " + str(state.message))


@app.command("revoke")
def revoke_cmd(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option(help=NIP_HELP)],
    reason: Annotated[str, typer.Option(help="Why (e.g. the decision letter's number).")],
    on: Annotated[str | None, typer.Option(help="Date of the decision (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Revoke a certificate (STTP): it stops verifying and stays revoked until re-issued (revoke-certificate)."""
    guard(_certificate_decision)(True, cohort, nip, reason, on, program)


@app.command("reissue")
def reissue_cmd(
    cohort: Annotated[int, typer.Option(min=1)],
    nip: Annotated[str, typer.Option(help=NIP_HELP)],
    reason: Annotated[str, typer.Option(help="Why the revocation is lifted.")],
    on: Annotated[str | None, typer.Option(help="Date of the decision (default: today).")] = None,
    program: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Re-issue a revoked certificate: a new version, same number (reissue-certificate)."""
    guard(_certificate_decision)(False, cohort, nip, reason, on, program)


def _certificate_decision(revoke, cohort, nip, reason, on, program) -> None:  # noqa: ANN001
    from schemas.params import CertificateDecision

    prepare()
    from flows.certificate_decisions import reissue_certificate, revoke_certificate

    program = programme_or_only(program)
    participant = participant_reference(program, cohort, nip)  # the NIP itself never reaches Prefect
    params = parse_params(
        CertificateDecision, program=program, cohort=cohort, participant=participant, reason=reason, on=day_or_today(on)
    )
    state = (revoke_certificate if revoke else reissue_certificate)(params, return_state=True)
    if state.is_failed():
        console.print(state.message, style="red")
        raise typer.Exit(EXIT_USAGE)
    console.print(str(state.message))


@app.command()
def verify(code: Annotated[str, typer.Argument(help="The verification code printed on the certificate.")]) -> None:
    """Check a certificate (STTP) by its verification code."""
    from diklat.bootstrap import services
    from diklat.store.certificates import verify as lookup

    guard(prepare)(prefect=False)
    _ = translator()
    # Read-only: the store's read function in one unit of work, no flow run needed.
    with services().unit_of_work() as session:
        found = lookup(session, code)
    if found is None:
        console.print(_("No certificate has this verification code."), style="bold red")
        raise typer.Exit(EXIT_BLOCKED)
    states = {
        "valid": _("VALID"),
        "revoked": _("NOT VALID (revoked)"),
        "not_issued": _("NOT VALID (not issued yet)"),
        "replaced": _("REPLACED by version {version} on {day}").format(
            version=found["current_version"], day=found["replaced_on"]
        ),
    }
    state = states[found["status"]]
    console.print(f"{state}: {found['number']} v{found['version']}", style="bold green" if found["valid"] else "red")
    console.print(
        f"{found['name']} ({found['nip']}), {found['programme']} / {found['cohort']}, "
        f"{found['qualification']}, {found['issued_on']}"
    )
    raise typer.Exit(EXIT_OK if found["valid"] else EXIT_BLOCKED)
