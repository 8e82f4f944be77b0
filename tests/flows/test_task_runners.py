"""The milestone check gives the same result on Prefect's default runner and on a Dask local cluster."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from diklat.synth.roster import make_roster, write_table
from flows.check_milestones import check_milestones
from flows.open_cohort import open_cohort
from schemas.params import CheckMilestones
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


def _figures(summary) -> list[tuple]:  # noqa: ANN001
    return sorted(
        (
            c.label,
            c.participants,
            tuple(sorted(c.statuses.items())),
            tuple(sorted((r["nip"], tuple(r["reasons"])) for r in c.at_risk)),
        )
        for c in summary.cohorts
    )


def test_a_dask_local_cluster_gives_the_same_check_as_the_default_runner_which_on_sqlite_goes_chunk_by_chunk(
    sqlite_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect_dask import DaskTaskRunner

    from diklat.settings import get_settings
    from flows.check_milestones import chunks_in_flight

    for number, start in ((1, date(2022, 7, 14)), (2, date(2022, 7, 18)), (3, date(2022, 7, 25))):
        roster = write_table(make_roster(8, seed=number, today=start).frame, tmp_path / f"r{number}.csv")
        assert open_cohort(open_params(roster, cohort=number, start=start), return_state=True).is_completed()
    monkeypatch.setenv("DIKLAT_COHORTS_PER_TASK", "1")  # three chunks, so that the runner has work to spread
    get_settings.cache_clear()
    params = CheckMilestones(as_of=date(2022, 8, 12), notify=False)

    state = check_milestones(params, return_state=True)
    default = state.result()
    on_dask = check_milestones.with_options(
        task_runner=DaskTaskRunner(cluster_kwargs={"n_workers": 2, "processes": True, "threads_per_worker": 1})
    )(CheckMilestones(as_of=date(2022, 8, 12), notify=False))

    assert _figures(on_dask) == _figures(default)
    assert default.history_rows > 0 and on_dask.history_rows == 0  # the second run found nothing new
    # SQLite has one writer: the default runner's chunks ran one after another (flows.check_milestones)
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        )
    spans = sorted((r.start_time, r.end_time) for r in runs if r.name.startswith("check_cohorts"))
    assert len(spans) == 3
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))
    # PostgreSQL hands every chunk to the runner, which bounds how many run at once
    assert chunks_in_flight("sqlite:///x.db", 3) == 1 and chunks_in_flight("postgresql+psycopg://h/db", 3) == 3
