"""The text an operator reads after a file was processed or a step stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from diklat.domain.gated import BatchCounts
from diklat.report.ingest import blocked_markdown, ingest_summary_markdown
from diklat.report.markdown import table, table_row

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english")]


def counts(**changes: object) -> BatchCounts:
    base = dict(batch_id=7, file_name="peserta.xlsx", rows_read=32, rows_accepted=30, rows_quarantined=2)
    return BatchCounts(**{**base, "rows_unchanged": 0, "rows_resolved": 0, **changes})


def test_a_markdown_table_right_aligns_the_figures_after_the_label_column() -> None:
    assert table(["Cohort", "Rows"], [["Angkatan 1", 30]]) == [
        "| Cohort | Rows |",
        "|---|---:|",
        "| Angkatan 1 | 30 |",
    ]
    assert table_row([1, None, "x"]) == "| 1 | None | x |"


def test_the_summary_shows_every_count_and_where_the_rejected_rows_are() -> None:
    text = ingest_summary_markdown("PKP 2022 / Angkatan 1", counts(), Path("out/roster-rejected-batch-7.xlsx"))
    assert text.splitlines()[0] == "### PKP 2022 / Angkatan 1: peserta.xlsx"
    assert "| 32 | 30 | 2 | 0 | 0 |" in text
    assert "out/roster-rejected-batch-7.xlsx" in text
    assert "already processed" not in text


def test_a_file_sent_again_is_said_to_have_changed_nothing() -> None:
    text = ingest_summary_markdown("A", counts(already_processed=True, rows_unchanged=30), None)
    assert "already processed (batch 7); nothing was changed" in text
    assert "Rejected rows" not in text


def test_a_blocked_step_names_the_file_and_the_reason() -> None:
    assert blocked_markdown("Column NIP is missing.", "peserta.xlsx") == (
        "### Stopped: peserta.xlsx\n\nColumn NIP is missing."
    )
    assert blocked_markdown("No template.", None).startswith("### Stopped\n")


def test_the_summary_is_in_indonesian_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from diklat.settings import get_settings

    monkeypatch.setenv("DIKLAT_LANGUAGE", "id")
    get_settings.cache_clear()
    text = ingest_summary_markdown("A", counts(already_processed=True), None)
    assert "Rows read" not in text and "nothing was changed" not in text
