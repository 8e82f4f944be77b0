"""A database that is briefly unavailable mid-run: the task retries and the run ends as if nothing happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc

import diklat.store.roster as roster_store
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from tests.helpers import counts, open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def test_a_lost_connection_while_saving_is_retried_and_nothing_is_duplicated(
    settings, tmp_path: Path, monkeypatch
) -> None:
    calls = {"n": 0}
    real = roster_store._save_enrolments

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 1:  # the first attempt dies after employees were written in its transaction
            raise sa_exc.OperationalError("INSERT INTO enrolment", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(roster_store, "_save_enrolments", flaky)
    synth = make_roster(12, seed=4)
    state = open_cohort(open_params(write_table(synth.frame, tmp_path / "r.csv")), return_state=True)
    assert state.is_completed() and calls["n"] == 2
    assert counts(settings.sqlalchemy_url)["enrolment"] == 12
    assert counts(settings.sqlalchemy_url)["ingest_batch"] == 1
    assert counts(settings.sqlalchemy_url)["employee"] == 12
