"""Showing a whole intake to the operator: the rejected-rows files and the intake artifacts."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from diklat.bootstrap import services
from diklat.domain.names import slug
from diklat.i18n import translator
from diklat.report.opening import intake_markdown, intake_rows
from diklat.report.quarantine import quarantine_rows, write_rejected_file
from diklat.store.batches import new_quarantine
from tasks.cohort_batch import HeldBack, OpenedCohort
from tasks.common import io_task
from tasks.reports import cohort_folder

# A table artifact is for reading; past this many rows the rejected-rows files hold the rest.
QUARANTINE_SHOWN = 5000


@io_task
def publish_rejected(program: str, opened: list[OpenedCohort]) -> list[str]:
    """A rejected-rows file for each cohort with rows quarantined in this run, and ONE table of them all."""
    paths, table = write_rejected_files(opened)
    if table:
        create_table_artifact(
            table[:QUARANTINE_SHOWN],
            key=slug(f"intake-{program}-quarantine"),
            description=translator()(
                "Rows not accepted: fix them in the rejected-rows files and submit those files again."
            ),
        )
    return paths


def publish_intake(program: str, opened: list[OpenedCohort], held: list[HeldBack], rejected_files: list[str]) -> None:
    """One table and one headline for the whole intake, not one artifact per cohort (artifacts only: no task run)."""
    _ = translator()
    create_table_artifact(
        intake_rows(opened), key=slug(f"intake-{program}-cohorts"), description=_("Cohorts opened from the cohort list")
    )
    create_markdown_artifact(
        intake_markdown(program, opened, held, rejected_files),
        key=slug(f"intake-{program}-summary"),
        description=_("Cohort intake summary"),
    )


def write_rejected_files(opened: list[OpenedCohort]) -> tuple[list[str], list[dict]]:
    """The rejected-rows file of each cohort with rows quarantined in this run; also their rows, masked."""
    _ = translator()
    paths, table = [], []
    with services().unit_of_work() as session:
        quarantined = new_quarantine(session, [c.counts for c in opened])
    for cohort in [c for c in opened if c.counts.batch_id in quarantined]:
        rows = quarantined[cohort.counts.batch_id]
        path = cohort_folder(cohort.ref) / f"roster-rejected-batch-{cohort.counts.batch_id}.xlsx"
        paths.append(str(write_rejected_file(rows, cohort.headers, path, "roster")))
        table += [{_("Cohort"): cohort.label, **row} for row in quarantine_rows(rows, "roster", limit=None)]
    return paths, table
