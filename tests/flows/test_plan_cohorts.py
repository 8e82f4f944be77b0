"""plan-cohorts on a Prefect test server: from a city's personnel export to rosters open-cohort accepts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from diklat.synth.roster import write_table
from flows.open_cohort import open_cohort
from flows.plan_cohorts import plan_cohorts
from schemas.params import PlanCohorts
from tests.helpers import open_params
from tests.unit.test_planning import AS_OF, _city_roster

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def test_a_city_export_yields_the_200_backlog_and_seven_cohorts_whose_rosters_open(settings, tmp_path: Path) -> None:
    export, graduates, expected = _city_roster()
    export.loc[export["NIP"].isin(graduates), "SUDAH PKP"] = "YA"  # trained before diklat, says the roster
    export.loc[len(export)] = {**export.iloc[0].to_dict(), "NIP": "1.98001012005011E+17"}  # a damaged row
    path = write_table(export, tmp_path / "pegawai.csv")

    state = plan_cohorts(
        PlanCohorts(personnel=str(path), program="PKP Kota Jambi 2023", year=2023, cohorts_per_year=7, as_of=AS_OF),
        return_state=True,
    )
    summary = state.result()
    assert (summary.counts.rows_read, summary.counts.rows_quarantined) == (len(export), 1)
    assert summary.backlog == 200 and summary.in_post == 100
    assert len(summary.cohorts) == 7 and all(c["members"] <= 30 for c in summary.cohorts)
    assert sum(c["members"] for c in summary.cohorts) == 200 and summary.unplaced == 0
    assert [c["in_post"] for c in summary.cohorts][:3] == [30, 30, 30]  # those in post come first
    backlog = pd.read_excel(summary.files["backlog"], dtype=str)
    assert set(backlog["NIP"]) == expected

    first = summary.cohorts[0]
    roster = summary.files["rosters"][0]
    opened = open_cohort(
        open_params(Path(roster), cohort=1, start=date.fromisoformat(first["start"])), return_state=True
    ).result()
    assert (opened.counts.rows_read, opened.counts.rows_quarantined) == (first["members"], 0)
