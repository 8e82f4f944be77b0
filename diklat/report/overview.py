"""The programme overview page: one current page per programme on the Prefect UI's Artifacts page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from diklat.i18n import translator
from diklat.report.markdown import table

SHOWN = 500  # cohorts listed; a national programme's totals line still counts them all


def overview_markdown(
    programme: str,
    cohorts: Sequence[Mapping[str, Any]],
    failed: Mapping[int | None, int],
    as_of: str,
    links: Sequence[Mapping[str, Any]] = (),
) -> str:
    """Cohorts with their counts, who is at risk, rows waiting in quarantine and failed runs waiting; then
    the evaluation's questionnaire links per cohort, wave and role (invited, opened, answered, bounced)."""
    _ = translator()
    status = {"open": _("running"), "closed": _("closed")}
    title = _("Programme overview: {programme}").format(programme=programme)
    lines = [f"# {title}", "", _("As of {when}.").format(when=as_of), ""]
    totals = {k: sum(c[k] for c in cohorts) for k in ("enrolled", "withdrawn", "at_risk", "passed", "quarantined_open")}
    lines.append(
        _(
            "{cohorts} cohorts; {enrolled} participants active, {withdrawn} withdrawn, {at_risk} at risk, "
            "{passed} passed; {quarantined} rows waiting in quarantine; {failed} failed runs waiting."
        ).format(
            cohorts=len(cohorts), quarantined=totals.pop("quarantined_open"), failed=sum(failed.values()), **totals
        )
    )
    lines.append("")
    headers = [
        _("Cohort"),
        _("Dates"),
        _("Status"),
        _("Active"),
        _("Withdrawn"),
        _("At risk"),
        _("Passed"),
        _("Rows in quarantine"),
        _("Failed runs"),
    ]
    rows = [
        (
            c["cohort"],
            f"{c['start']} – {c['end']}",
            status.get(c["status"], c["status"]),
            c["enrolled"],
            c["withdrawn"],
            c["at_risk"],
            c["passed"],
            c["quarantined_open"],
            failed.get(c["cohort"], 0),
        )
        for c in cohorts[:SHOWN]
    ]
    lines += table(headers, rows, numeric_from=3)
    if len(cohorts) > SHOWN:
        lines += ["", _("First {shown} of {total} cohorts shown.").format(shown=SHOWN, total=len(cohorts))]
    if failed.get(None):
        lines += ["", _("Failed runs of the whole programme waiting: {n}.").format(n=failed[None])]
    lines += [
        "",
        _("A failed run stops waiting once a later run of the same step for the same cohort completes."),
    ]
    if links:
        lines += ["", "## " + _("Evaluation questionnaires by link"), ""]
        roles = {"alumni": _("alumnus"), "atasan": _("direct superior"), "rekan": _("peer")}
        headers = [_("Cohort"), _("Wave"), _("Respondent"), _("Invited"), _("Opened"), _("Answered"), _("Bounced")]
        rows = [
            (
                r["cohort"],
                r["wave"],
                roles.get(r["role"], r["role"]),
                r["invited"],
                r["opened"],
                r["answered"],
                r["bounced"],
            )
            for r in links
        ]
        lines += table(headers, rows, numeric_from=3)
        lines += ["", _("A bounced address gets no link: correct it in the roster and run the evaluation again.")]
    return "\n".join(lines)
