"""What the operator reads and receives about a cohort plan: figures, the artifact text and the files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from diklat.domain.gated import BatchCounts
from diklat.domain.planning import Plan, PlannedCohort
from diklat.report.plan_files import backlog_table, plan_table, roster_table
from diklat.report.planning import PlanOverview, plan_markdown, plan_overview

pytestmark = pytest.mark.unit


def _member(nip: str, in_post: bool, **extra: object) -> dict:
    return {
        "nip": nip,
        "name": f"Pegawai {nip[-3:]}",
        "golongan": "III/b",
        "position": "Kepala Seksi" if in_post else "Analis",
        "position_type": "pengawas" if in_post else "pelaksana",
        "unit": "Dinas A",
        "in_post": in_post,
        "years_in_post": Decimal("2.50"),
        "years_to_retirement": Decimal("12.00"),
        "why": "in_post",
        "priority": 1,
        **extra,
    }


def _plan() -> tuple[pd.DataFrame, Plan]:
    backlog = pd.DataFrame([_member("198001012005011001", True), _member("198001012005011002", False)])
    members = backlog.iloc[:1].assign(cohort=1, seat=1)
    cohort = PlannedCohort(1, date(2025, 3, 4), date(2025, 6, 23), members)
    unplaced = backlog.iloc[1:].assign(reason="capacity")
    return backlog, Plan([cohort], unplaced, pd.DataFrame())


def test_the_overview_counts_the_backlog_those_in_post_each_cohort_and_the_unplaced() -> None:
    backlog, plan = _plan()
    assert plan_overview(backlog, plan) == PlanOverview(
        backlog=2,
        in_post=1,
        cohorts=[{"cohort": 1, "start": "2025-03-04", "end": "2025-06-23", "members": 1, "in_post": 1}],
        unplaced=1,
    )
    empty = pd.DataFrame(columns=list(backlog.columns))
    assert plan_overview(empty, Plan([], empty, pd.DataFrame())) == PlanOverview(0, 0, [], 0)


def test_the_artifact_gives_the_backlog_the_cohorts_and_the_files_counts() -> None:
    overview = PlanOverview(200, 100, [{"cohort": n} for n in range(7)], 0)
    counts = BatchCounts(
        3, "pegawai.csv", rows_read=1201, rows_accepted=1200, rows_quarantined=1, rows_unchanged=0, rows_resolved=0
    )
    assert plan_markdown("PKP Kota Jambi 2023", overview, counts, language="en").split("\n") == [
        "### PKP Kota Jambi 2023",
        "",
        "Backlog: 200 eligible officials without PKP (100 already in a supervisory post).",
        "Cohorts proposed: 7; officials not placed: 0.",
        "Rows read 1201, quarantined 1.",
    ]


def test_the_files_carry_indonesian_headers_and_text_for_dates_and_decimals() -> None:
    backlog, plan = _plan()
    table = backlog_table(backlog)
    assert list(table.columns) == [
        "PRIORITAS",
        "NIP",
        "NAMA",
        "GOL/RUANG",
        "JABATAN",
        "JENIS JABATAN",
        "UNIT KERJA",
        "MASA JABATAN (TAHUN)",
        "SISA MASA KERJA (TAHUN)",
        "ALASAN URUTAN",
    ]
    assert table["MASA JABATAN (TAHUN)"].tolist() == ["2.50", "2.50"]
    planned = plan_table(plan)
    assert list(planned.columns[:4]) == ["ANGKATAN", "MULAI", "SELESAI", "KURSI"]
    assert planned[["ANGKATAN", "MULAI", "SELESAI", "KURSI", "NIP"]].values.tolist() == [
        [1, "2025-03-04", "2025-06-23", 1, "198001012005011001"]
    ]
    roster = roster_table(plan.cohorts[0])
    assert list(roster.columns) == ["NIP", "NAMA", "GOL/RUANG", "JABATAN", "UNIT KERJA"]


def test_a_plan_without_cohorts_still_writes_an_empty_plan_file() -> None:
    backlog, _ = _plan()
    assert plan_table(Plan([], backlog, pd.DataFrame())).empty
