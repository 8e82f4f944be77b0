"""Tasks that show operators what happened: artifacts in the Prefect UI, files to fix, a blocked run's reason."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Failed, State

from diklat.bootstrap import services
from diklat.domain.days_off import DayOffOutcome
from diklat.domain.gated import BatchCounts
from diklat.domain.names import slug
from diklat.domain.problems import Blocked, Problem
from diklat.i18n import translator
from diklat.report.days_off import day_off_markdown
from diklat.report.ingest import blocked_markdown, ingest_summary_markdown
from diklat.report.quarantine import blocked_text, quarantine_rows, write_rejected_file
from diklat.store.batches import batch_quarantine
from diklat.store.cohorts import CohortRef
from diklat.templates import available_templates, resolve_template
from schemas.template import Template
from tasks.common import io_task


def cohort_folder(cohort: CohortRef) -> Path:
    return services().settings.outputs / slug(cohort.programme) / f"angkatan-{cohort.number}"


@io_task
def publish_ingest_report(
    kind: str,
    cohort: CohortRef,
    counts: BatchCounts,
    headers: dict[str, str],
    layout: tuple[int, tuple[int, ...]] = (1, ()),
) -> str | None:
    """Quarantine table artifact (NIPs masked) and the rejected-rows file; returns the file path."""
    _ = translator()
    with services().unit_of_work() as session:
        rows = batch_quarantine(session, counts.batch_id)
    key = slug(f"{kind}-{cohort.programme}-{cohort.number}")
    path = None
    if not rows.empty:
        path = cohort_folder(cohort) / f"{kind}-rejected-batch-{counts.batch_id}.xlsx"
        write_rejected_file(rows, headers, path, kind)
        create_table_artifact(
            quarantine_rows(rows, kind),
            key=f"{key}-quarantine",
            description=_("Rows not accepted from {file}: fix them in {fixfile} and submit that file again.").format(
                file=counts.file_name, fixfile=path.name
            ),
        )
    create_markdown_artifact(
        ingest_summary_markdown(cohort.label, counts, path, *layout),
        key=f"{key}-summary",
        description=_("What happened to the file {file}").format(file=counts.file_name),
    )
    return None if path is None else str(path)


@io_task
def publish_day_off(program: str, outcome: DayOffOutcome) -> None:
    """What a declared day off moved, per cohort (no personal data)."""
    _ = translator()
    create_markdown_artifact(
        day_off_markdown(program, outcome),
        key=slug(f"day-off-{program}-{outcome.day.isoformat()}"),
        description=_("What the day off moved in the cohorts' calendars"),
    )


@io_task
def publish_blocked(kind: str, problem_text: str, file_name: str | None) -> None:
    """The reason a step stopped, as an artifact next to the failed run."""
    _ = translator()
    create_markdown_artifact(
        blocked_markdown(problem_text, file_name),
        key=slug(f"{kind}-blocked"),
        description=_("Why the step stopped and what to fix"),
    )


def blocked_state(blocked: Blocked, kind: str) -> State:
    """End the run as Failed with the operator's message (NIPs masked), no traceback."""
    text = blocked_text(blocked, kind)
    publish_blocked(kind, text, blocked.file_name)
    get_run_logger().error("Blocked (%s): %s", blocked.problem.code, text)  # NIPs in text are masked
    return Failed(message=text, data=blocked)


def template_named(name: str | None) -> Template | Blocked:
    """The programme template asked for (default: the latest PKP), or why there is none."""
    folder = services().settings.template_dir
    try:
        return resolve_template(name, folder)
    except LookupError:
        known = ", ".join(sorted(available_templates(folder)))
        return Blocked(Problem("template.unknown", None, {"name": name, "known": known}))
