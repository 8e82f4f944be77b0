"""Tasks that show operators what happened: artifacts in the Prefect UI and files to fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.i18n import translator
from diklat.report.names import slug
from diklat.report.quarantine import quarantine_rows, write_rejected_file
from diklat.settings import get_settings
from diklat.store.batches import BatchCounts
from diklat.store.cohorts import CohortRef
from schemas import tables as t
from tasks.common import io_task


def cohort_folder(cohort: CohortRef) -> Path:
    return get_settings().outputs / slug(cohort.programme) / f"angkatan-{cohort.number}"


def batch_quarantine(batch_id: int) -> pd.DataFrame:
    with services().unit_of_work() as session:
        rows = session.execute(
            select(t.QuarantinedRow.id, t.QuarantinedRow.row_number, t.QuarantinedRow.raw, t.QuarantinedRow.reasons)
            .where(t.QuarantinedRow.batch_id == batch_id)
            .order_by(t.QuarantinedRow.row_number)
        ).all()
    return pd.DataFrame(rows, columns=["id", "row_number", "raw", "reasons"])


@io_task
def publish_ingest_report(kind: str, cohort: CohortRef, counts: BatchCounts, headers: dict[str, str]) -> str | None:
    """Quarantine table artifact (NIPs masked) and the rejected-rows file; returns the file path."""
    _ = translator()
    rows = batch_quarantine(counts.batch_id)
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
        _summary_markdown(kind, cohort, counts, path),
        key=f"{key}-summary",
        description=_("What happened to the file {file}").format(file=counts.file_name),
    )
    return None if path is None else str(path)


def _summary_markdown(kind: str, cohort: CohortRef, counts: BatchCounts, path: Path | None) -> str:
    _ = translator()
    headers = [_("Rows read"), _("Accepted"), _("Quarantined"), _("Unchanged"), _("Earlier quarantined rows now fixed")]
    lines = [
        f"### {cohort.label}: {counts.file_name}",
        "",
        "| " + " | ".join(headers) + " |",
        "|---:|---:|---:|---:|---:|",
        f"| {counts.rows_read} | {counts.rows_accepted} | {counts.rows_quarantined} | {counts.rows_unchanged} "
        f"| {counts.rows_resolved} |",
    ]
    if counts.already_processed:
        lines += [
            "",
            _("This file was already processed (batch {batch}); nothing was changed.").format(batch=counts.batch_id),
        ]
    if path is not None:
        lines += ["", _("Rejected rows with their reasons: `{path}`").format(path=path)]
    return "\n".join(lines)


@io_task
def publish_blocked(kind: str, problem_text: str, file_name: str | None) -> None:
    """The reason a step stopped, as an artifact next to the failed run."""
    _ = translator()
    title = _("Stopped") + (f": {file_name}" if file_name else "")
    create_markdown_artifact(
        f"### {title}\n\n{problem_text}",
        key=slug(f"{kind}-blocked"),
        description=_("Why the step stopped and what to fix"),
    )
