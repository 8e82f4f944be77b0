"""Tasks of the daily milestone check: whole cohorts (or chunks of them) per task, never per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from diklat import faultpoints, outbox
from diklat.bootstrap import services
from diklat.domain.progress import check_progress
from diklat.report.days_off import notice_messages, notice_text
from diklat.report.milestones import CohortCheck, cohort_checks
from diklat.report.risk import risk_messages
from diklat.store import notifications
from diklat.store.cohorts import CohortRef, cohort_refs, hold_cohorts
from diklat.store.days_off import mark_announced, pending_notices
from diklat.store.participants import guide_contacts, people_to_tell, withdrawn_counts
from diklat.store.progress import append_history, load_inputs, running_cohorts
from tasks.common import io_task, refresh_planner_statistics


@io_task
def find_running_cohorts(as_of: date, program: str | None, number: int | None) -> list[CohortRef]:
    """Open cohorts that have started by the check date."""
    refresh_planner_statistics()
    with services().unit_of_work() as session:
        return running_cohorts(session, as_of, program, number)


@dataclass
class ChunkCheck:
    cohorts: list[CohortCheck]
    history_rows: int


@io_task
def check_cohorts(cohort_ids: list[int], as_of: date, notify: bool) -> ChunkCheck:
    """Decide statuses and risks for a chunk of cohorts; append history and plan notifications atomically.

    Takes ids, not cohorts: Prefect walks every task input looking for futures, and each cohort
    carries its whole template (and a Dask worker would have to receive them all).
    """
    settings = services().settings
    with services().unit_of_work() as session:
        hold_cohorts(session, cohort_ids)  # a concurrent check of these cohorts waits, then finds nothing new
        cohorts = cohort_refs(session, cohort_ids)
        progress = check_progress(load_inputs(session, cohorts, as_of), as_of)
        ids = [c.cohort_id for c in cohorts]
        written = append_history(session, progress.statuses, ids, as_of)
        figures = progress.participants.merge(guide_contacts(session, ids), on="enrolment_id", how="left")
        checks = cohort_checks(
            [(c.cohort_id, c.label) for c in cohorts],
            figures,
            progress.statuses,
            progress.unrecorded_sessions,
            withdrawn_counts(session, ids, as_of),
            as_of,
        )
        if notify:
            channels = list(settings.notify_channels)
            for check, risky in checks:
                notifications.plan(
                    session,
                    risk_messages(check.cohort_id, check.label, as_of, risky, channels, settings.operator_email),
                )
        announce_calendar_changes(session, [check for check, _ in checks], notify)
    faultpoints.reached("check.committed")  # history and outbox written, nothing sent yet
    return ChunkCheck([check for check, _ in checks], written)


def announce_calendar_changes(session: Any, checks: list[CohortCheck], notify: bool) -> None:
    """Days off that moved these cohorts' calendars since the last check: shown, and told to everyone once.

    Planned in the check's own transaction and marked told there too: a check that dies before its
    commit leaves them for the next one, a committed one never tells them again.
    """
    notices = pending_notices(session, [c.cohort_id for c in checks])
    if not notices:
        return
    settings = services().settings
    by_id = {c.cohort_id: c for c in checks}
    people = people_to_tell(session, sorted({n.cohort_id for n in notices}))
    for notice in notices:
        check = by_id[notice.cohort_id]
        day = notice.day.isoformat()
        text = notice_text(
            day,
            notice.reason,
            notice.sessions_moved,
            notice.milestones_moved,
            notice.old_end_date.isoformat(),
            notice.new_end_date.isoformat(),
        )
        check.calendar_changes.append(text)
        if notify:
            addresses = [settings.operator_email or "operator", *people.get(notice.cohort_id, [])]
            messages = notice_messages(
                notice.cohort_id, check.label, day, text, addresses, list(settings.notify_channels)
            )
            notifications.plan(session, messages)
    if notify:
        mark_announced(session, [n.id for n in notices])


@io_task
def deliver_notifications() -> int:
    """Claim the pending notifications, send them, confirm each as it goes (never twice, never lost)."""
    return outbox.deliver(services())
