"""What the operator reads after a file was processed, or after a step stopped (pure text)."""

from __future__ import annotations

from pathlib import Path

from diklat.domain.gated import BatchCounts
from diklat.i18n import translator
from diklat.report.markdown import table


def ingest_summary_markdown(
    label: str, counts: BatchCounts, rejected: Path | None, header_row: int = 1, footer_rows: tuple[int, ...] = ()
) -> str:
    """Counts of one file (read = accepted + quarantined), where its rejected rows went, and which rows
    were taken as its title block and footer (skipped, so said)."""
    _ = translator()
    headers = [_("Rows read"), _("Accepted"), _("Quarantined"), _("Unchanged"), _("Earlier quarantined rows now fixed")]
    figures = [counts.rows_read, counts.rows_accepted, counts.rows_quarantined, counts.rows_unchanged]
    lines = [f"### {label}: {counts.file_name}", "", *table(headers, [figures + [counts.rows_resolved]], 0)]
    if counts.already_processed:
        lines += [
            "",
            _("This file was already processed (batch {batch}); nothing was changed.").format(batch=counts.batch_id),
        ]
    if header_row > 1:
        lines += [
            "",
            _("Header row: row {row}; the rows above it were taken as the title and skipped.").format(row=header_row),
        ]
    if footer_rows:
        rows = ", ".join(map(str, footer_rows))
        lines += [
            "",
            _("Rows {rows} under the table were taken as its footer (signature, date, total) and skipped.").format(
                rows=rows
            ),
        ]
    if rejected is not None:
        lines += ["", _("Rejected rows with their reasons: `{path}`").format(path=rejected)]
    return "\n".join(lines)


def blocked_markdown(problem_text: str, file_name: str | None) -> str:
    """Why a step stopped and what to fix (the text is already masked)."""
    _ = translator()
    title = _("Stopped") + (f": {file_name}" if file_name else "")
    return f"### {title}\n\n{problem_text}"
