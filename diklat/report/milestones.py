"""What the milestone check shows the operator: per-cohort figures, one cohort's page, a national overview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from diklat.domain.nip import mask_nip
from diklat.i18n import translator
from diklat.report.markdown import table, table_row
from diklat.report.risk import reason_text

STATUSES = ("met", "missed", "pending", "waived")


@dataclass
class CohortCheck:
    """One cohort's figures as of a date (NIPs masked: safe for logs and artifacts)."""

    cohort_id: int
    label: str
    as_of: str
    participants: int
    withdrawn: int
    statuses: dict[str, int]
    at_risk: list[dict[str, Any]] = field(default_factory=list)
    unrecorded_sessions: int = 0
    history_rows: int = 0
    calendar_changes: list[str] = field(default_factory=list)  # days off that moved the calendar since the last check


def cohort_checks(
    cohorts: Sequence[tuple[int, str]],
    figures: pd.DataFrame,
    statuses: pd.DataFrame,
    unrecorded: pd.DataFrame,
    withdrawn: Mapping[int, int],
    as_of: date,
) -> list[tuple[CohortCheck, pd.DataFrame]]:
    """Each cohort's figures, with its at-risk rows (unmasked: for the messages to coaches and mentors).

    ``cohorts``: (cohort id, label); ``figures``: participants with cohort_id, nip, reasons, best_pct;
    ``statuses``: enrolment_id, status; ``unrecorded``: cohort_id of each past session without records.
    """
    # Split once by cohort (filtering per cohort would scan the chunk's rows once per cohort).
    by_cohort = dict(tuple(figures.groupby("cohort_id", sort=False)))
    cohort_of = figures.set_index("enrolment_id")["cohort_id"]
    statuses_by_cohort = dict(tuple(statuses.groupby(statuses["enrolment_id"].map(cohort_of), sort=False)))
    out = []
    for cohort_id, label in cohorts:
        mine = by_cohort.get(cohort_id, figures.iloc[:0])
        risky = mine[mine["reasons"].map(len) > 0]
        counted = statuses_by_cohort.get(cohort_id, statuses.iloc[:0])["status"].value_counts()
        check = CohortCheck(
            cohort_id=cohort_id,
            label=label,
            as_of=as_of.isoformat(),
            participants=len(mine),
            withdrawn=withdrawn.get(cohort_id, 0),
            statuses={k: int(v) for k, v in counted.items()},
            at_risk=[
                {
                    "nip": mask_nip(r.nip),
                    "reasons": list(r.reasons),
                    "text": reason_text(r.reasons),
                    "best_pct": float(r.best_pct),
                    # JP attended of the JP recorded so far (None before any session was recorded)
                    "attendance_pct": None if pd.isna(r.attendance_pct) else float(r.attendance_pct),
                }
                for r in risky.itertuples(index=False)
            ],
            unrecorded_sessions=int((unrecorded["cohort_id"] == cohort_id).sum()),
        )
        out.append((check, risky))
    return out


def percent(value: float | None) -> str:
    """``92.50 %``, or a dash when nothing is recorded yet."""
    return "–" if value is None else f"{value:.2f} %"


def cohort_markdown(check: CohortCheck) -> str:
    """Milestone completion and the at-risk list (NIPs masked) of one cohort."""
    _ = translator()
    as_of, at_risk = _("as of"), _("At risk")
    heads = [_("Participants"), _("Withdrawn"), _("Met"), _("Missed"), _("Pending"), _("Waived")]
    values = [check.participants, check.withdrawn, *(check.statuses.get(k, 0) for k in STATUSES)]
    lines = [f"### {check.label}: {as_of} {check.as_of}", "", *table(heads, [values], numeric_from=0)]
    if check.unrecorded_sessions:
        lines += ["", _("{n} past sessions have no attendance recorded yet.").format(n=check.unrecorded_sessions)]
    if check.calendar_changes:
        heading = _("Calendar changes")
        lines += ["", f"#### {heading}", "", *(f"- {text}" for text in check.calendar_changes)]
    if check.at_risk:
        lines += [
            "",
            f"#### {at_risk}",
            "",
            table_row(["NIP", _("Attendance to date"), _("Best attendance reachable"), _("Reasons")]),
            "|---|---:|---:|---|",
        ]
        lines += [
            table_row([r["nip"], percent(r.get("attendance_pct")), percent(r["best_pct"]), r["text"]])
            for r in check.at_risk
        ]
    else:
        lines += ["", _("Nobody is at risk.")]
    return "\n".join(lines)


def overview_rows(checks: Sequence[CohortCheck]) -> list[dict[str, Any]]:
    """One row per cohort for a national run's table artifact."""
    _ = translator()
    heads = [_("Cohort"), _("Participants"), _("Withdrawn"), _("Met"), _("Missed"), _("Pending"), _("At risk")]
    return [
        dict(
            zip(
                heads,
                [
                    c.label,
                    c.participants,
                    c.withdrawn,
                    *(c.statuses.get(k, 0) for k in ("met", "missed", "pending")),
                    len(c.at_risk),
                ],
                strict=True,
            )
        )
        for c in checks
    ]


def at_risk_rows(checks: Sequence[CohortCheck]) -> list[dict[str, Any]]:
    """Every participant at risk across the cohorts (NIPs masked), one row each."""
    _ = translator()
    return [{_("Cohort"): c.label, "NIP": r["nip"], _("Reasons"): r["text"]} for c in checks for r in c.at_risk]
