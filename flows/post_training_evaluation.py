"""post-training-evaluation: waves fall due, respondents are reminded, figures are reported (monthly)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from diklat.bootstrap import services
from diklat.clock import today_in
from diklat.domain.evaluation import WaveStatus
from diklat.domain.names import slug
from diklat.i18n import translator
from diklat.orchestration import run_namer
from diklat.report.evaluation_summary import evaluation_markdown, headline_rows
from schemas.params import Evaluate
from tasks.evaluation import (
    evaluation_cohorts,
    follow_up_frame,
    open_due_waves,
    summarise_cohorts,
    write_evaluation_reports,
)
from tasks.hooks import after_run
from tasks.milestones import deliver_notifications


@dataclass
class EvaluationSummary:
    as_of: str
    waves: list[WaveStatus] = field(default_factory=list)
    reminders_sent: int = 0
    reports: list[str] = field(default_factory=list)
    headlines: list[dict] = field(default_factory=list)
    follow_up: int = 0


@flow(name="post-training-evaluation", flow_run_name=run_namer("post-training-evaluation"), **after_run())
def post_training_evaluation(params: Evaluate | None = None) -> EvaluationSummary:
    """Open the waves that fall due, remind who has not answered, report L1-L4 per cohort and programme."""
    params = params or Evaluate()
    logger = get_run_logger()
    as_of = params.as_of or today_in(services().settings.timezone)
    summary = EvaluationSummary(as_of=as_of.isoformat())

    # 1. which cohorts, 2. waves due and reminders
    cohort_ids = evaluation_cohorts(params.program, params.cohort)
    if not cohort_ids:
        logger.info("No cohort to evaluate as of %s", as_of)
        return summary
    summary.waves = open_due_waves(as_of, cohort_ids, params.wave, params.notify)
    if params.notify:
        summary.reminders_sent = deliver_notifications()

    # 3. figures, 4. reports and artifacts
    result, labels = summarise_cohorts(cohort_ids, params.wave)
    title = params.program or "diklat"
    summary.reports = write_evaluation_reports(result, labels, title, as_of)
    follow = follow_up_frame(result)
    summary.follow_up = len(follow)
    summary.headlines = headline_rows(result.per_cohort, labels)
    _publish(summary, follow, title)
    logger.info(
        "Evaluation as of %s: %d waves open, %d reminders, %d alumni to follow up",
        as_of,
        len(summary.waves),
        summary.reminders_sent,
        summary.follow_up,
    )
    return summary


def _publish(summary: EvaluationSummary, follow, title: str) -> None:  # noqa: ANN001
    _ = translator()
    key = slug(f"evaluation-{title}")
    if summary.headlines:
        create_table_artifact(
            summary.headlines,
            key=f"{key}-headlines",
            description=_("Post-training evaluation: headline figures per cohort and wave"),
        )
    create_markdown_artifact(
        evaluation_markdown(title, summary.as_of, summary.waves, follow),
        key=f"{key}-summary",
        description=_("Evaluation waves, reminders and follow-up"),
    )
