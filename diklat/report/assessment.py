"""What the operator reads after a final assessment: one cohort's results and summary, a cohort list's summary.

Pure text and rows for Prefect artifacts (no Prefect here); NIPs are always masked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from diklat.domain.gated import BatchCounts
from diklat.domain.nip import mask_nip
from diklat.i18n import translator
from diklat.report.markdown import table_row
from diklat.report.recap import STATUS_LABELS, status_label


def results_table(rows: Sequence[Mapping], nips: Mapping[int, str]) -> list[dict]:
    """One cohort's results by rank (unranked last), a row per participant, NIPs masked.

    ``rows``: enrolment_id, rank, final_score, qualification, status; ``nips``: enrolment id -> NIP.
    """
    _ = translator()
    headers = [_("Rank"), "NIP", _("Final score"), _("Qualification"), _("Status")]
    ranked = sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return [
        dict(
            zip(
                headers,
                [
                    r["rank"],
                    mask_nip(nips[r["enrolment_id"]]),
                    None if r["final_score"] is None else str(r["final_score"]),
                    r["qualification"],
                    r["status"],
                ],
                strict=True,
            )
        )
        for r in ranked
    ]


def summary_markdown(cohort: str, statuses: Mapping[str, int], certificates: int) -> str:
    """One cohort's headline: participants per status and the certificates issued or re-issued."""
    _ = translator()
    lines = [f"### {cohort}", ""] + [f"- {status}: {n}" for status, n in sorted(statuses.items())]
    lines += ["", _("Certificates issued: {n}").format(n=certificates)]
    return "\n".join(lines)


@dataclass(frozen=True)
class CohortOutcome:
    """One graded cohort of a list, as counts (no names or NIPs)."""

    label: str
    counts: BatchCounts
    statuses: Mapping[str, int]
    certificates: int  # issued or re-issued by this run
    closed: bool
    rejected_file: str | None


class Held(Protocol):
    """A cohort of the list left out, and why (the reason is already masked)."""

    cohort: int
    row_number: int
    reason: str


def batch_markdown(program: str, assessed: Sequence[CohortOutcome], held: Sequence[Held]) -> str:
    """ONE text for a whole cohort list: headline, cohorts held back, files to fix, counts per cohort."""
    _ = translator()
    statuses = list(STATUS_LABELS)
    heads = [_("Cohort"), _("Rows read"), _("Accepted"), _("Quarantined")]
    heads += [status_label(s) for s in statuses] + [_("Certificates issued"), _("Closed")]
    quarantined = sum(c.counts.rows_quarantined for c in assessed)
    lines = [
        f"### {program}",
        "",
        _("{graded} cohorts graded, {held} held back; score rows quarantined: {quarantined}.").format(
            graded=len(assessed), held=len(held), quarantined=quarantined
        ),
    ]
    if held:
        lines += ["", "#### " + _("Cohorts held back"), ""]
        lines += [
            "- " + _("Cohort {cohort} (row {row}): {reason}").format(cohort=h.cohort, row=h.row_number, reason=h.reason)
            for h in held
        ]
    rejected = [c.rejected_file for c in assessed if c.rejected_file]
    if rejected:
        lines += ["", _("Rejected rows with their reasons:"), ""] + [f"- `{p}`" for p in rejected]
    # Figures right-aligned; the label and the closing yes/no left-aligned.
    align = ["---"] + ["---:"] * (len(heads) - 2) + ["---"]
    lines += ["", table_row(heads), table_row(align).replace(" ", "")]
    for c in assessed:
        cells = [c.label, c.counts.rows_read, c.counts.rows_accepted, c.counts.rows_quarantined]
        cells += [c.statuses.get(s, 0) for s in statuses]
        cells += [c.certificates, _("yes") if c.closed else _("no")]
        lines.append(table_row(cells))
    return "\n".join(lines)
