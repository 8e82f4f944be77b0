"""Read-only views of the state for `diklat status` and reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from schemas import tables as t


def cohort_status(session: Session, programme: str | None = None, number: int | None = None) -> list[dict[str, Any]]:
    """Programmes and cohorts with enrolled, withdrawn and open-quarantine counts."""
    active = func.sum(case((t.Enrolment.status == "active", 1), else_=0))
    withdrawn = func.sum(case((t.Enrolment.status == "withdrawn", 1), else_=0))
    keys = (
        t.Programme.name,
        t.Cohort.id,
        t.Cohort.number,
        t.Cohort.start_date,
        t.Cohort.end_date,
        t.Cohort.status,
        t.Cohort.capacity,
        t.ProgrammeTemplate.code,
        t.ProgrammeTemplate.version,
    )
    stmt = (
        select(*keys, func.coalesce(active, 0), func.coalesce(withdrawn, 0))
        .join(t.Programme, t.Cohort.programme_id == t.Programme.id)
        .join(t.ProgrammeTemplate, t.Cohort.template_id == t.ProgrammeTemplate.id)
        .outerjoin(t.Enrolment, t.Enrolment.cohort_id == t.Cohort.id)
        .group_by(*keys)
        .order_by(t.Programme.name, t.Cohort.number)
    )
    if programme:
        stmt = stmt.where(t.Programme.name == programme)
    if number:
        stmt = stmt.where(t.Cohort.number == number)
    quarantined = dict(
        session.execute(
            select(t.QuarantinedRow.scope, func.count())
            .where(t.QuarantinedRow.status == "open")
            .group_by(t.QuarantinedRow.scope)
        ).all()
    )
    out = []
    for name, cid, num, start, end, status, capacity, code, version, act, wd in session.execute(stmt):
        out.append(
            {
                "programme": name,
                "cohort": num,
                "cohort_id": cid,
                "status": status,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "template": f"{code}@{version}",
                "capacity": capacity,
                "enrolled": int(act),
                "withdrawn": int(wd),
                "quarantined_open": quarantined.get(f"cohort:{cid}", 0),
            }
        )
    return out


def milestone_overview(session: Session, cohort_id: int) -> list[dict[str, Any]]:
    """Each milestone of a cohort with its due date and the latest status counts of active participants."""
    import pandas as pd

    milestones = session.execute(
        select(t.Milestone.id, t.Milestone.code, t.Milestone.kind, t.Milestone.due_date, t.Milestone.original_due_date)
        .where(t.Milestone.cohort_id == cohort_id)
        .order_by(t.Milestone.due_date, t.Milestone.id)
    ).all()
    history = pd.DataFrame(
        session.execute(
            select(
                t.MilestoneStatus.id,
                t.MilestoneStatus.milestone_id,
                t.MilestoneStatus.enrolment_id,
                t.MilestoneStatus.status,
                t.MilestoneStatus.as_of,
            )
            .join(t.Enrolment)
            .where(t.Enrolment.cohort_id == cohort_id, t.Enrolment.status == "active")
        ).all(),
        columns=["id", "milestone_id", "enrolment_id", "status", "as_of"],
    )
    latest = history.sort_values(["as_of", "id"]).drop_duplicates(["milestone_id", "enrolment_id"], keep="last")
    counts = latest.groupby(["milestone_id", "status"]).size()
    out = []
    for mid, code, kind, due, original in milestones:
        row = {
            "milestone": code,
            "kind": kind,
            "due": due.isoformat(),
            "moved_from": original.isoformat() if original != due else None,
        }
        for status in ("met", "missed", "pending", "waived"):
            row[status] = int(counts.get((mid, status), 0))
        out.append(row)
    return out


def programme_overview(session: Session, programme: str) -> list[dict[str, Any]]:
    """One programme's cohorts for its overview page: ``cohort_status`` plus who is at risk and who passed.

    At risk: an active participant of a running cohort with a milestone whose latest status is missed
    (a closed cohort has results instead). One query with a
    window function (SQLite and PostgreSQL), so a run's refresh stays cheap however long the history.
    """
    rows = cohort_status(session, programme)
    if not rows:
        return rows
    ids = [r["cohort_id"] for r in rows]
    ranked = (
        select(
            t.Enrolment.cohort_id,
            t.MilestoneStatus.enrolment_id,
            t.MilestoneStatus.status,
            func.row_number()
            .over(
                partition_by=(t.MilestoneStatus.milestone_id, t.MilestoneStatus.enrolment_id),
                order_by=(t.MilestoneStatus.as_of.desc(), t.MilestoneStatus.id.desc()),
            )
            .label("rank"),
        )
        .join(t.Enrolment, t.Enrolment.id == t.MilestoneStatus.enrolment_id)
        .where(t.Enrolment.cohort_id.in_(ids), t.Enrolment.status == "active")
        .subquery()
    )
    at_risk = dict(
        session.execute(
            select(ranked.c.cohort_id, func.count(func.distinct(ranked.c.enrolment_id)))
            .where(ranked.c.rank == 1, ranked.c.status == "missed")
            .group_by(ranked.c.cohort_id)
        ).all()
    )
    passed = dict(
        session.execute(
            select(t.Enrolment.cohort_id, func.count())
            .join(t.Result, t.Result.enrolment_id == t.Enrolment.id)
            .where(t.Enrolment.cohort_id.in_(ids), t.Result.status == "lulus")
            .group_by(t.Enrolment.cohort_id)
        ).all()
    )
    for row in rows:  # a closed cohort has results instead: nobody there is "at risk" any more
        row["at_risk"] = at_risk.get(row["cohort_id"], 0) if row["status"] != "closed" else 0
        row["passed"] = passed.get(row["cohort_id"], 0)
    return rows
