"""check-milestones: every running cohort against its calendar, as of a date (daily at 06:00 WIB)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from diklat.clock import today_in
from diklat.i18n import translator
from diklat.orchestration import run_namer
from diklat.report.milestones import CohortCheck
from diklat.settings import get_settings
from schemas.params import CheckMilestones
from tasks.hooks import after_run
from tasks.milestone_reports import publish_checks
from tasks.milestones import check_cohorts, deliver_notifications, find_running_cohorts


@dataclass
class CheckSummary:
    as_of: str
    cohorts: list[CohortCheck] = field(default_factory=list)
    history_rows: int = 0
    notifications_sent: int = 0

    @property
    def at_risk(self) -> int:
        return sum(len(c.at_risk) for c in self.cohorts)


# Chunks in flight at once: on 2 cores two overlap one's database I/O with the other's pandas work;
# more would only add memory (each chunk holds its cohorts' evidence). Dask replaces this runner.
PARALLEL_CHUNKS = 2


def chunks_in_flight(database_url: str, chunks: int) -> int:
    """How many of the ``chunks`` to hand the task runner at once on this database.

    PostgreSQL works beside the flow's process, so chunks overlap (national check, 100,000
    participants: 57 s with two threads against 69 s one after the other), and all are submitted:
    the runner bounds them (two threads, or a Dask cluster's workers). SQLite works inside the
    process and has one writer: a second chunk waits on the write lock and the GIL, and the check
    was slower with it (the same 100,000-participant database, alternately: 33.3 and 32.6 s with two
    chunks in flight, 29.8 and 26.8 s one at a time), so its chunks go one at a time.
    """
    return 1 if database_url.startswith("sqlite") else max(1, chunks)


@flow(
    name="check-milestones",
    flow_run_name=run_namer("check-milestones"),
    task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_CHUNKS),
    **after_run(),
)
def check_milestones(params: CheckMilestones | None = None) -> CheckSummary:
    """Statuses, risks and notifications for all running cohorts; evidence after as_of is ignored."""
    params = params or CheckMilestones()
    settings = get_settings()
    logger = get_run_logger()
    as_of = params.as_of or today_in(settings.timezone)

    # 1. which cohorts
    cohorts = find_running_cohorts(as_of, params.program, params.cohort)
    summary = CheckSummary(as_of=as_of.isoformat())
    progress = create_progress_artifact(0.0, description=translator()("Milestone check progress"))

    # 2. decide, chunk by chunk (task count grows with cohorts / chunk size, never with participants).
    # Chunks hold disjoint cohorts, so they run in parallel on whatever task runner the flow has
    # (threads by default, a Dask cluster across machines with prefect-dask's DaskTaskRunner), except
    # on SQLite (chunks_in_flight).
    size = settings.cohorts_per_task
    ids = [c.cohort_id for c in cohorts]
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    window = chunks_in_flight(settings.sqlalchemy_url, len(chunks))
    running: deque = deque()
    waiting = iter(chunks)
    for done in range(1, len(chunks) + 1):
        while len(running) < window and (chunk_ids := next(waiting, None)) is not None:
            running.append(check_cohorts.submit(chunk_ids, as_of, params.notify))
        chunk = running.popleft().result()  # in submission order
        summary.cohorts += chunk.cohorts
        summary.history_rows += chunk.history_rows
        update_progress_artifact(progress, 100.0 * done / len(chunks))
    update_progress_artifact(progress, 100.0)

    # 3. tell people, 4. show the operator
    if params.notify:
        summary.notifications_sent = deliver_notifications()
    # quote(): plain data; Prefect need not walk a national run's checks looking for futures
    publish_checks(summary.cohorts, summary.as_of, settings.cohort_artifacts_max)
    logger.info(
        "Checked %d cohorts as of %s: %d participants at risk, %d status changes, %d notifications",
        len(summary.cohorts),
        as_of,
        summary.at_risk,
        summary.history_rows,
        summary.notifications_sent,
    )
    return summary
