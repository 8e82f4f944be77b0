"""The programme overview artifact, refreshed after every run (a flow state hook).

Key ``ikhtisar-<programme>``: the Artifacts page always has one current page per programme, with its
cohorts, who is active, withdrawn, at risk and passed, the rows waiting in quarantine and the failed
runs still waiting for a fix. A run about one programme refreshes that one; a run about all of them
(the daily check) refreshes each. A failure here is logged and never changes the run's outcome.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime
from typing import Any

from prefect.artifacts import create_markdown_artifact

from diklat.bootstrap import services
from diklat.domain.names import slug
from diklat.domain.run_names import SEPARATOR
from diklat.i18n import translator
from diklat.report.overview import overview_markdown
from diklat.store.invitations import status_counts
from diklat.store.lookups import programme_names
from diklat.store.status import programme_overview

_log = logging.getLogger(__name__)
MOST_PROGRAMMES = 20  # a run about every programme refreshes at most this many pages
RUNS_READ, PAGE = 1000, 200  # recent runs looked at for failures still waiting; the API's largest page
_COHORT = re.compile(r"angkatan (\d+)")


def overview_key(programme: str) -> str:
    return slug(f"ikhtisar-{programme}")


def refresh_overview(flow: Any, flow_run: Any, state: Any) -> None:
    """Flow hook: rewrite the overview page of the programme(s) the run was about."""
    try:
        params = flow_run.parameters.get("params")
        program = params.get("program") if isinstance(params, dict) else getattr(params, "program", None)
        with services().unit_of_work() as session:
            programmes = [program] if program else programme_names(session)[:MOST_PROGRAMMES]
            pages = {p: programme_overview(session, p) for p in programmes}
            links = {p: link_counts(session, cohorts) for p, cohorts in pages.items()}
        _ = translator()
        as_of = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
        for programme, cohorts in pages.items():
            if not cohorts:  # a programme that has no cohort yet (or a name that is not recorded)
                continue
            create_markdown_artifact(
                overview_markdown(programme, cohorts, failed_waiting(programme), as_of, links[programme]),
                key=overview_key(programme),
                description=_("Programme overview: {programme}").format(programme=programme),
            )
    except Exception:  # noqa: BLE001 - an overview page must never turn a finished run into a failure
        _log.exception("could not refresh the programme overview")


def link_counts(session: Any, cohorts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Invited, opened, answered and bounced questionnaire links per cohort, wave and role."""
    numbers = {c["cohort_id"]: c["cohort"] for c in cohorts}
    counts = status_counts(session, list(numbers))
    return [{**row, "cohort": numbers[row["cohort_id"]]} for row in counts.to_dict("records")]


def failed_waiting(programme: str) -> Counter:
    """Failed or crashed runs about this programme not followed by a completed run of the same step and
    cohort, counted by cohort number (None: runs about the whole programme)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterName,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    finished = [StateType.FAILED, StateType.CRASHED, StateType.COMPLETED]
    runs: list[Any] = []
    with get_client(sync_client=True) as client:
        while len(runs) < RUNS_READ:
            page = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    name=FlowRunFilterName(like_=f"{SEPARATOR}{programme}"),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=finished)),
                ),
                sort=FlowRunSort.EXPECTED_START_TIME_DESC,
                limit=PAGE,
                offset=len(runs),
            )
            runs += page
            if len(page) < PAGE:
                break
    latest: dict[str, Any] = {}
    for run in runs:  # newest first: the first seen of a name is its latest
        parts = (run.name or "").split(SEPARATOR)
        if len(parts) < 2 or parts[1] != programme:
            continue
        latest.setdefault(run.name, run)
    waiting: Counter = Counter()
    for name, run in latest.items():
        if run.state is not None and run.state.type in (StateType.FAILED, StateType.CRASHED):
            found = _COHORT.search(name)
            waiting[int(found.group(1)) if found else None] += 1
    return waiting
