"""The text and rows an operator reads after a final assessment (one cohort, or a cohort list)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from diklat.domain.gated import BatchCounts
from diklat.report.assessment import CohortOutcome, batch_markdown, results_table, summary_markdown

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english")]


NIPS = {1: "198001012005011001", 2: "198502022010012002", 3: "199003032015031003"}


def row(enrolment: int, rank: int | None, score: str | None, qualification: str | None, status: str) -> dict:
    return {
        "enrolment_id": enrolment,
        "rank": rank,
        "final_score": None if score is None else Decimal(score),
        "qualification": qualification,
        "status": status,
    }


def test_the_results_table_is_by_rank_with_the_unranked_last_and_nips_masked() -> None:
    rows = [
        row(1, None, None, None, "belum_lengkap"),
        row(2, 2, "75.00", "Baik", "lulus"),
        row(3, 1, "87.50", "Sangat Baik", "lulus"),
    ]
    got = results_table(rows, NIPS)
    assert [r["Rank"] for r in got] == [1, 2, None]
    assert got[0] == {
        "Rank": 1,
        "NIP": "199003**********03",  # first 6 and last 2 digits kept
        "Final score": "87.50",
        "Qualification": "Sangat Baik",
        "Status": "lulus",
    }
    assert got[2]["Final score"] is None
    assert not any(nip in str(got) for nip in NIPS.values())


def test_the_summary_lists_statuses_alphabetically_and_the_certificates_issued() -> None:
    text = summary_markdown("PKP / Angkatan 1", {"lulus": 3, "belum_lengkap": 1}, 2)
    assert text == "### PKP / Angkatan 1\n\n- belum_lengkap: 1\n- lulus: 3\n\nCertificates issued: 2"


def counts(**changes: object) -> BatchCounts:
    base = dict(batch_id=7, file_name="nilai.xlsx", rows_read=40, rows_accepted=40, rows_quarantined=0)
    return BatchCounts(**{**base, "rows_unchanged": 0, "rows_resolved": 0, **changes})


@dataclass(frozen=True)
class Held:
    cohort: int
    row_number: int
    reason: str


def test_the_batch_summary_names_held_back_cohorts_files_to_fix_and_counts_per_cohort() -> None:
    assessed = [
        CohortOutcome("PKP / Angkatan 1", counts(), {"lulus": 4, "lulus_tertunda": 1}, 4, True, None),
        CohortOutcome(
            "PKP / Angkatan 3",
            counts(rows_accepted=39, rows_quarantined=1),
            {"lulus": 5},
            5,
            False,
            "out/angkatan-3/scores-rejected-batch-7.xlsx",
        ),
    ]
    held = [Held(9, 3, "There is no cohort 9.")]
    lines = batch_markdown("PKP Prov", assessed, held).split("\n")
    assert lines[:3] == ["### PKP Prov", "", "2 cohorts graded, 1 held back; score rows quarantined: 1."]
    assert "- Cohort 9 (row 3): There is no cohort 9." in lines
    assert "- `out/angkatan-3/scores-rejected-batch-7.xlsx`" in lines
    header = lines.index(next(line for line in lines if line.startswith("| Cohort |")))
    assert lines[header] == (
        "| Cohort | Rows read | Accepted | Quarantined | Passed | Passed (deferred) | Not passed | Did not complete"
        " | Incomplete assessment | Certificates issued | Closed |"
    )
    assert lines[header + 1] == "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    assert lines[header + 2] == "| PKP / Angkatan 1 | 40 | 40 | 0 | 4 | 1 | 0 | 0 | 0 | 4 | yes |"
    assert lines[header + 3] == "| PKP / Angkatan 3 | 40 | 39 | 1 | 5 | 0 | 0 | 0 | 0 | 5 | no |"


def test_a_clean_batch_has_no_held_back_or_rejected_section() -> None:
    text = batch_markdown("PKP Prov", [CohortOutcome("A", counts(), {}, 0, True, None)], [])
    assert "held back" in text.split("\n")[2]
    assert "####" not in text and "Rejected" not in text
