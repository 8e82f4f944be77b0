"""Showing the milestone check to the operator: artifacts in the Prefect UI (text built in diklat.report)."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from diklat.domain.names import slug
from diklat.i18n import translator
from diklat.report.milestones import CohortCheck, at_risk_rows, cohort_markdown, overview_rows

# A table artifact is for reading; the operator's digest and `diklat status` hold every row.
AT_RISK_SHOWN = 5000


def publish_checks(checks: list[CohortCheck], as_of: str, per_cohort_max: int) -> None:
    """One artifact per cohort for an agency's few cohorts; one overview for a national run.

    Each artifact is an API call (~10 ms): 3,300 of them would cost more than the check itself. A plain
    function the flow calls, not a task: it writes no data, and a task run would add ~0.3 s per check.
    """
    _ = translator()
    if len(checks) <= per_cohort_max:
        for check in checks:
            create_markdown_artifact(
                cohort_markdown(check),
                key=slug(f"milestones-{check.label}"),
                description=_("Milestones and participants at risk"),
            )
        return
    create_table_artifact(
        overview_rows(checks),
        key="milestones-overview",
        description=_("Milestones and participants at risk") + f" ({as_of})",
    )
    at_risk = at_risk_rows(checks)
    if at_risk:
        create_table_artifact(
            at_risk[:AT_RISK_SHOWN], key="milestones-at-risk", description=_("At risk") + f" ({as_of})"
        )
