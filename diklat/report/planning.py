"""What the operator reads about a cohort plan: the proposed cohorts and the backlog in figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from diklat.domain.gated import BatchCounts
from diklat.domain.planning import Plan
from diklat.i18n import translator


@dataclass(frozen=True)
class PlanOverview:
    """The plan in plain figures: what the flow returns and the artifacts show."""

    backlog: int
    in_post: int
    cohorts: list[dict]
    unplaced: int


def plan_overview(backlog: pd.DataFrame, plan: Plan) -> PlanOverview:
    """Backlog size (how many in a post already), each cohort's dates and members, how many got no seat."""
    cohorts = [
        {
            "cohort": c.number,
            "start": c.start.isoformat(),
            "end": c.end.isoformat(),
            "members": len(c.members),
            "in_post": int(c.members["in_post"].sum()),
        }
        for c in plan.cohorts
    ]
    in_post = int(backlog["in_post"].sum()) if len(backlog) else 0
    return PlanOverview(len(backlog), in_post, cohorts, len(plan.unplaced))


def plan_markdown(program: str, overview: PlanOverview, counts: BatchCounts, language: str | None = None) -> str:
    """The backlog, the cohorts proposed and the roster file's counts, in the operator's language."""
    _ = translator(language)
    return "\n".join(
        [
            f"### {program}",
            "",
            _("Backlog: {n} eligible officials without PKP ({in_post} already in a supervisory post).").format(
                n=overview.backlog, in_post=overview.in_post
            ),
            _("Cohorts proposed: {n}; officials not placed: {unplaced}.").format(
                n=len(overview.cohorts), unplaced=overview.unplaced
            ),
            _("Rows read {read}, quarantined {quarantined}.").format(
                read=counts.rows_read, quarantined=counts.rows_quarantined
            ),
        ]
    )
