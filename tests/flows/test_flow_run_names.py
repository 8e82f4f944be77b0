"""On the Runs page a run is named after what it was about, not 'singing-cockatoo'."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def test_an_opening_run_is_named_after_its_programme_and_cohort(sqlite_settings, tmp_path: Path) -> None:
    state = open_cohort(
        open_params(write_table(make_roster(3, seed=2).frame, tmp_path / "r.csv"), cohort=4), return_state=True
    )
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "open-cohort · PKP Kota Jambi 2022 · angkatan 4"
