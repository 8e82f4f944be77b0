"""What the operator reads after a file was processed, or after a step stopped (pure text)."""

from __future__ import annotations

from pathlib import Path

from diklat.domain.gated import BatchCounts
from diklat.i18n import translator
from diklat.report.markdown import table


def ingest_summary_markdown(label: str, counts: BatchCounts, rejected: Path | None) -> str:
    """Counts of one file (read = accepted + quarantined), and where its rejected rows went."""
    _ = translator()
    headers = [_("Rows read"), _("Accepted"), _("Quarantined"), _("Unchanged"), _("Earlier quarantined rows now fixed")]
    figures = [counts.rows_read, counts.rows_accepted, counts.rows_quarantined, counts.rows_unchanged]
    lines = [f"### {label}: {counts.file_name}", "", *table(headers, [figures + [counts.rows_resolved]], 0)]
    if counts.already_processed:
        lines += [
            "",
            _("This file was already processed (batch {batch}); nothing was changed.").format(batch=counts.batch_id),
        ]
    if rejected is not None:
        lines += ["", _("Rejected rows with their reasons: `{path}`").format(path=rejected)]
    return "\n".join(lines)


def blocked_markdown(problem_text: str, file_name: str | None) -> str:
    """Why a step stopped and what to fix (the text is already masked)."""
    _ = translator()
    title = _("Stopped") + (f": {file_name}" if file_name else "")
    return f"### {title}\n\n{problem_text}"
