"""check-milestones: every running cohort against its calendar, as of a date (daily at 06:00 WIB)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.task_runners import ThreadPoolTaskRunner

from diklat.clock import today_in
from diklat.i18n import translator
from diklat.settings import get_settings
from schemas.params import CheckMilestones
from tasks.milestones import CohortCheck, check_cohorts, deliver_notifications, find_running_cohorts
from tasks.reports import slug


@dataclass
class CheckSummary:
    as_of: str
    cohorts: list[CohortCheck] = field(default_factory=list)
    history_rows: int = 0
    notifications_sent: int = 0

    @property
    def at_risk(self) -> int:
        return sum(len(c.at_risk) for c in self.cohorts)


# Chunks in flight at once: on 2 cores two overlap one's database I/O with the other's pandas work;
# more would only add memory (each chunk holds its cohorts' evidence). Dask replaces this runner.
PARALLEL_CHUNKS = 2


@flow(name="check-milestones", task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_CHUNKS))
def check_milestones(params: CheckMilestones | None = None) -> CheckSummary:
    """Statuses, risks and notifications for all running cohorts; evidence after as_of is ignored."""
    params = params or CheckMilestones()
    settings = get_settings()
    logger = get_run_logger()
    as_of = params.as_of or today_in(settings.timezone)

    # 1. which cohorts
    cohorts = find_running_cohorts(as_of, params.program, params.cohort)
    summary = CheckSummary(as_of=as_of.isoformat())
    progress = create_progress_artifact(0.0, description=translator()("Milestone check progress"))

    # 2. decide, chunk by chunk (task count grows with cohorts / chunk size, never with participants).
    # Chunks hold disjoint cohorts, so they run in parallel on whatever task runner the flow has
    # (threads by default, a Dask cluster across machines with prefect-dask's DaskTaskRunner).
    size = settings.cohorts_per_task
    ids = [c.cohort_id for c in cohorts]
    futures = [check_cohorts.submit(ids[i : i + size], as_of, params.notify) for i in range(0, len(ids), size)]
    for done, future in enumerate(futures, start=1):
        chunk = future.result()
        summary.cohorts += chunk.cohorts
        summary.history_rows += chunk.history_rows
        update_progress_artifact(progress, 100.0 * done / len(futures))
    update_progress_artifact(progress, 100.0)

    # 3. tell people, 4. show the operator
    if params.notify:
        summary.notifications_sent = deliver_notifications()
    publish_checks(summary, settings.cohort_artifacts_max)
    logger.info(
        "Checked %d cohorts as of %s: %d participants at risk, %d status changes, %d notifications",
        len(summary.cohorts),
        as_of,
        summary.at_risk,
        summary.history_rows,
        summary.notifications_sent,
    )
    return summary


def publish_checks(summary: CheckSummary, per_cohort_max: int) -> None:
    """One artifact per cohort for an agency's few cohorts; one overview for a national run.

    Each artifact is an API call (~10 ms): 3,300 of them would cost more than the check itself.
    """
    _ = translator()
    if len(summary.cohorts) <= per_cohort_max:
        for check in summary.cohorts:
            create_markdown_artifact(
                cohort_markdown(check),
                key=slug(f"milestones-{check.label}"),
                description=_("Milestones and participants at risk"),
            )
        return
    heads = [_("Cohort"), _("Participants"), _("Withdrawn"), _("Met"), _("Missed"), _("Pending"), _("At risk")]
    create_table_artifact(
        [
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
            for c in summary.cohorts
        ],
        key="milestones-overview",
        description=_("Milestones and participants at risk") + f" ({summary.as_of})",
    )
    at_risk = [
        {_("Cohort"): c.label, "NIP": r["nip"], _("Reasons"): r["text"]} for c in summary.cohorts for r in c.at_risk
    ]
    if at_risk:
        create_table_artifact(
            at_risk[:AT_RISK_SHOWN], key="milestones-at-risk", description=_("At risk") + f" ({summary.as_of})"
        )


# A table artifact is for reading; the operator's digest and `diklat status` hold every row.
AT_RISK_SHOWN = 5000


def cohort_markdown(check: CohortCheck) -> str:
    """Milestone completion and the at-risk list (NIPs masked) of one cohort."""
    _ = translator()
    as_of, at_risk = _("as of"), _("At risk")
    heads = [_("Participants"), _("Withdrawn"), _("Met"), _("Missed"), _("Pending"), _("Waived")]
    values = [
        check.participants,
        check.withdrawn,
        *(check.statuses.get(k, 0) for k in ("met", "missed", "pending", "waived")),
    ]
    lines = [f"### {check.label}: {as_of} {check.as_of}", "", _row(heads), "|---:" * len(heads) + "|", _row(values)]
    if check.unrecorded_sessions:
        lines += ["", _("{n} past sessions have no attendance recorded yet.").format(n=check.unrecorded_sessions)]
    if check.at_risk:
        lines += [
            "",
            f"#### {at_risk}",
            "",
            _row(["NIP", _("Best attendance reachable"), _("Reasons")]),
            "|---|---:|---|",
        ]
        lines += [_row([r["nip"], f"{r['best_pct']:.2f} %", r["text"]]) for r in check.at_risk]
    else:
        lines += ["", _("Nobody is at risk.")]
    return "\n".join(lines)


def _row(cells: list) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
