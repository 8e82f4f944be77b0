"""Tasks of the daily milestone check: whole cohorts (or chunks of them) per task, never per person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.domain.nip import mask_nip
from diklat.domain.progress import check_progress
from diklat.report.risk import reason_text, risk_messages
from diklat.settings import get_settings
from diklat.store import notifications
from diklat.store.cohorts import CohortRef, cohort_refs
from diklat.store.progress import append_history, load_inputs, running_cohorts
from schemas import tables as t
from tasks.common import io_task


@dataclass
class CohortCheck:
    """One cohort's figures as of a date (NIPs masked: safe for logs and artifacts)."""

    cohort_id: int
    label: str
    as_of: str
    participants: int
    withdrawn: int
    statuses: dict[str, int]
    at_risk: list[dict[str, Any]] = field(default_factory=list)
    unrecorded_sessions: int = 0
    history_rows: int = 0


@io_task
def find_running_cohorts(as_of: date, program: str | None, number: int | None) -> list[CohortRef]:
    """Open cohorts that have started by the check date."""
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
    settings = get_settings()
    with services().unit_of_work() as session:
        cohorts = cohort_refs(session, cohort_ids)
        data = load_inputs(session, cohorts, as_of)
        progress = check_progress(data, as_of)
        ids = [c.cohort_id for c in cohorts]
        written = append_history(session, progress.statuses, ids, as_of)
        people = _people(session, ids)
        withdrawn = _withdrawn_counts(session, ids)
        results = []
        figures = progress.participants.merge(people, on="enrolment_id", how="left")
        # Split once by cohort (filtering per cohort would scan the chunk's rows once per cohort).
        empty_figures = figures.iloc[:0]
        by_cohort = dict(tuple(figures.groupby("cohort_id", sort=False)))
        cohort_of = figures.set_index("enrolment_id")["cohort_id"]
        status_cohort = progress.statuses["enrolment_id"].map(cohort_of)
        statuses_by_cohort = dict(tuple(progress.statuses.groupby(status_cohort, sort=False)))
        empty_statuses = progress.statuses.iloc[:0]
        for cohort in cohorts:
            mine = by_cohort.get(cohort.cohort_id, empty_figures)
            risky = mine[mine["reasons"].map(len) > 0]
            statuses = statuses_by_cohort.get(cohort.cohort_id, empty_statuses)
            if notify:
                notifications.plan(
                    session,
                    risk_messages(
                        cohort.cohort_id,
                        cohort.label,
                        as_of,
                        risky,
                        list(settings.notify_channels),
                        settings.operator_email,
                    ),
                )
            results.append(
                CohortCheck(
                    cohort_id=cohort.cohort_id,
                    label=cohort.label,
                    as_of=as_of.isoformat(),
                    participants=len(mine),
                    withdrawn=withdrawn.get(cohort.cohort_id, 0),
                    statuses={k: int(v) for k, v in statuses["status"].value_counts().items()},
                    at_risk=[
                        {
                            "nip": mask_nip(r.nip),
                            "reasons": list(r.reasons),
                            "text": reason_text(r.reasons),
                            "best_pct": float(r.best_pct),
                        }
                        for r in risky.itertuples(index=False)
                    ],
                    unrecorded_sessions=int((progress.unrecorded_sessions["cohort_id"] == cohort.cohort_id).sum()),
                )
            )
    return ChunkCheck(results, written)


@io_task
def deliver_notifications() -> int:
    """Send every pending notification, then mark it sent (a crash re-sends only unconfirmed ones)."""
    channels = services().notifiers
    with services().unit_of_work() as session:
        waiting = notifications.pending(session)
    by_channel: dict[str, list] = {}
    for nid, message in waiting:
        if message.channel in channels:
            by_channel.setdefault(message.channel, []).append((nid, message))
    sent = 0
    for channel, items in by_channel.items():
        notifier = channels[channel]
        if hasattr(notifier, "send_all"):
            notifier.send_all([m for _, m in items])
        else:
            for _, message in items:
                notifier.send(message)
        with services().unit_of_work() as session:
            notifications.mark_sent(session, [nid for nid, _ in items])
        sent += len(items)
    return sent


def _people(session, cohort_ids: list[int]) -> pd.DataFrame:  # noqa: ANN001
    """Name, coach e-mail and mentor e-mail per enrolment (for the messages)."""
    coach = select(t.Assignment.enrolment_id, t.Assignment.email).where(t.Assignment.role == "coach").subquery()
    mentor = (
        select(t.Assignment.enrolment_id, t.Employee.email)
        .join(t.Employee, t.Employee.nip == t.Assignment.person_nip, isouter=True)
        .where(t.Assignment.role == "mentor")
        .subquery()
    )
    rows = session.execute(
        select(t.Enrolment.id, t.Employee.name, coach.c.email, mentor.c.email)
        .join(t.Employee, t.Employee.nip == t.Enrolment.nip)
        .join(coach, coach.c.enrolment_id == t.Enrolment.id, isouter=True)
        .join(mentor, mentor.c.enrolment_id == t.Enrolment.id, isouter=True)
        .where(t.Enrolment.cohort_id.in_(cohort_ids))
    ).all()
    return pd.DataFrame(rows, columns=["enrolment_id", "name", "coach_email", "mentor_email"])


def _withdrawn_counts(session, cohort_ids: list[int]) -> dict[int, int]:  # noqa: ANN001
    return dict(
        session.execute(
            select(t.Enrolment.cohort_id, func.count())
            .where(t.Enrolment.cohort_id.in_(cohort_ids), t.Enrolment.status == "withdrawn")
            .group_by(t.Enrolment.cohort_id)
        ).all()
    )
