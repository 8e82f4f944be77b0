"""What the operator reads after a whole intake was opened: one table and one headline (pure text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from diklat.domain.gated import BatchCounts
from diklat.i18n import translator


class OpenedLine(Protocol):
    """A cohort opened in this run, as the intake report needs it."""

    label: str
    counts: BatchCounts
    participants: int
    without_coach: int


class HeldLine(Protocol):
    """A cohort of the list held back, with the reason in the operator's words."""

    cohort: int
    row_number: int
    reason: str


def intake_rows(opened: Sequence[OpenedLine]) -> list[dict[str, Any]]:
    """One row per opened cohort: its file's counts and its participants."""
    _ = translator()
    heads = [_("Cohort"), _("Rows read"), _("Accepted"), _("Quarantined"), _("Participants"), _("Without coach")]
    return [
        dict(
            zip(
                heads,
                [
                    c.label,
                    c.counts.rows_read,
                    c.counts.rows_accepted,
                    c.counts.rows_quarantined,
                    c.participants,
                    c.without_coach,
                ],
                strict=True,
            )
        )
        for c in opened
    ]


def intake_markdown(
    program: str, opened: Sequence[OpenedLine], held: Sequence[HeldLine], rejected_files: Sequence[str]
) -> str:
    """The headline (read = accepted + quarantined), the cohorts held back and the files to fix."""
    _ = translator()
    lines = [
        f"### {program}",
        "",
        _("{opened} cohorts opened; rows read {read} = accepted {accepted} + quarantined {quarantined}.").format(
            opened=len(opened),
            read=sum(c.counts.rows_read for c in opened),
            accepted=sum(c.counts.rows_accepted for c in opened),
            quarantined=sum(c.counts.rows_quarantined for c in opened),
        ),
    ]
    if held:
        lines += ["", "#### " + _("Cohorts held back"), ""]
        lines += [
            "- " + _("Cohort {cohort} (row {row}): {reason}").format(cohort=h.cohort, row=h.row_number, reason=h.reason)
            for h in held
        ]
    if rejected_files:
        lines += ["", _("Rejected rows with their reasons:"), ""] + [f"- `{p}`" for p in rejected_files]
    return "\n".join(lines)
