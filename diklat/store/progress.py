"""Loading what the milestone check needs, and appending the status history it decides."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_new
from diklat.db.frames import read_frame
from diklat.domain.progress import WAIVED, ProgressInputs, attendance_cutoffs
from diklat.store.calendar import cohort_calendars
from diklat.store.cohorts import CohortRef, cohort_refs
from schemas import tables as t


def running_cohorts(
    session: Session, as_of: date, programme: str | None = None, number: int | None = None
) -> list[CohortRef]:
    """Open cohorts that have started by ``as_of`` (a cohort closes at its final assessment)."""
    stmt = select(t.Cohort.id).join(t.Programme).where(t.Cohort.status == "open", t.Cohort.start_date <= as_of)
    if programme:
        stmt = stmt.where(t.Programme.name == programme)
    if number:
        stmt = stmt.where(t.Cohort.number == number)
    return cohort_refs(session, list(session.scalars(stmt.order_by(t.Cohort.id))))


def _frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    return read_frame(session, stmt, columns)


def active_on(as_of: date) -> Any:
    """Participants still in the cohort on ``as_of``: a backfill before a withdrawal still counts them."""
    return (t.Enrolment.status == "active") | (
        (t.Enrolment.status == "withdrawn")
        & (t.Enrolment.withdrawn_on.is_not(None))
        & (t.Enrolment.withdrawn_on > as_of)
    )


def load_inputs(session: Session, cohorts: list[CohortRef], as_of: date) -> ProgressInputs:
    """Every frame the rules need, for all these cohorts at once (a few queries, not per person)."""
    ids = [c.cohort_id for c in cohorts]
    enrolments = select(t.Enrolment.id).where(t.Enrolment.cohort_id.in_(ids))
    cohort_rows = []
    spans = _workplace_spans(session, cohorts)
    for c in cohorts:
        span = spans[c.cohort_id]
        cohort_rows.append(
            {
                "cohort_id": c.cohort_id,
                "minimum_percent": float(c.template.attendance_minimum_percent),
                "max_gap_days": c.template.coaching.max_gap_days,
                "work_start": span[0],
                "work_end": span[1],
            }
        )
    milestones = _frame(
        session,
        select(
            t.Milestone.cohort_id,
            t.Milestone.id,
            t.Milestone.code,
            t.Milestone.kind,
            t.Milestone.due_date,
            t.Milestone.required,
            t.Milestone.rule,
        ).where(t.Milestone.cohort_id.in_(ids)),
        ["cohort_id", "milestone_id", "code", "kind", "due_date", "required", "rule"],
    )
    milestones["stage"] = milestones["rule"].map(lambda r: (r or {}).get("stage"))
    milestones["revision_days"] = milestones["rule"].map(lambda r: (r or {}).get("revision_days") or 0)
    # Found by the chunk's milestones, which lead the status history's index (a status row's milestone
    # and enrolment are of one cohort). By enrolment, no index applies: every chunk scanned the whole
    # history, so the scans grew with the square of a run (SQLite, 100,000: 72 ms a chunk, now 21 ms).
    waived = _frame(
        session,
        select(t.MilestoneStatus.milestone_id, t.MilestoneStatus.enrolment_id).where(
            t.MilestoneStatus.milestone_id.in_(select(t.Milestone.id).where(t.Milestone.cohort_id.in_(ids))),
            t.MilestoneStatus.status == WAIVED,
            t.MilestoneStatus.as_of <= as_of,
        ),
        ["milestone_id", "enrolment_id"],
    )
    participants = _frame(
        session,
        select(t.Enrolment.cohort_id, t.Enrolment.id, t.Enrolment.nip).where(
            t.Enrolment.cohort_id.in_(ids), active_on(as_of)
        ),
        ["cohort_id", "enrolment_id", "nip"],
    )
    sessions = _frame(
        session,
        select(t.Session.cohort_id, t.Session.id, t.Session.date, t.Session.jp).where(t.Session.cohort_id.in_(ids)),
        ["cohort_id", "session_id", "date", "jp"],
    )
    recorded = select(t.Attendance.session_id).where(t.Attendance.enrolment_id.in_(enrolments)).distinct()
    sessions["recorded"] = sessions["session_id"].isin(set(session.scalars(recorded)))
    return ProgressInputs(
        participants=participants,
        cohorts=pd.DataFrame(
            cohort_rows, columns=["cohort_id", "minimum_percent", "max_gap_days", "work_start", "work_end"]
        ),
        sessions=sessions,
        milestones=milestones.drop(columns=["rule"]),
        attended=_attended(session, enrolments, participants, milestones, as_of),
        guidance=_frame(
            session,
            select(t.GuidanceLog.enrolment_id, t.GuidanceLog.date).where(t.GuidanceLog.enrolment_id.in_(enrolments)),
            ["enrolment_id", "date"],
        ),
        deliverables=_frame(
            session,
            select(t.Deliverable.enrolment_id, t.Deliverable.stage, t.Deliverable.date, t.Deliverable.outcome).where(
                t.Deliverable.enrolment_id.in_(enrolments)
            ),
            ["enrolment_id", "stage", "date", "outcome"],
        ),
        waived=waived,
    )


def _attended(
    session: Session, enrolments: Any, participants: pd.DataFrame, milestones: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """``ProgressInputs.attended`` summed in the database: one grouped scan of the attendance index.

    Reading the rows instead moved 3.5 million of them into pandas at national size (issue #17). The
    cutoffs are ``as_of`` and each attendance milestone due by then (``attendance_cutoffs``). A cohort's
    milestones become columns (its first, second... by due date) of a subquery on the milestone table,
    which the database joins by cohort through an index: SQLite builds one for a subquery, but scans a
    VALUES list once per attendance row (3.3 s a chunk instead of 0.2 s). Participants without a row get 0.
    """
    if participants.empty:
        return pd.DataFrame({"enrolment_id": [], "upto": pd.to_datetime([]), "jp": []}).astype({"jp": "int64"})
    ids = participants["cohort_id"].unique().tolist()
    cutoffs = attendance_cutoffs(milestones, ids, as_of)
    listed = milestones.loc[
        (milestones["kind"] == "attendance") & (milestones["due_date"] <= as_of), ["cohort_id", "due_date"]
    ].rename(columns={"due_date": "upto"})
    listed = listed.sort_values(["cohort_id", "upto"], ignore_index=True)
    listed["slot"] = listed.groupby("cohort_id").cumcount()  # as row_number() numbers them below, from 0
    slots = range(int(listed["slot"].max()) + 1 if len(listed) else 0)
    m, a, s = t.Milestone, t.Attendance, t.Session
    due = select(m.cohort_id, m.due_date).where(m.cohort_id.in_(ids), m.kind == "attendance", m.due_date <= as_of)
    numbered = due.add_columns(
        func.row_number().over(partition_by=m.cohort_id, order_by=m.due_date).label("slot")
    ).subquery()
    wide = (
        select(
            numbered.c.cohort_id,
            *(func.max(case((numbered.c.slot == i + 1, numbered.c.due_date))).label(f"upto_{i}") for i in slots),
        )
        .group_by(numbered.c.cohort_id)
        .subquery()
    )
    sums = [func.sum(case((s.date <= as_of, a.jp), else_=0))]
    sums += [func.sum(case((s.date <= wide.c[f"upto_{i}"], a.jp), else_=0)) for i in slots]
    stmt = (
        select(a.enrolment_id, *sums)
        .join(s, s.id == a.session_id)
        .outerjoin(wide, wide.c.cohort_id == s.cohort_id)
        .where(a.enrolment_id.in_(enrolments))
        .group_by(a.enrolment_id)
    )
    totals = _frame(session, stmt, ["enrolment_id", "at_as_of", *(f"slot_{i}" for i in slots)])
    cohort_of = participants.set_index("enrolment_id")["cohort_id"]
    totals["cohort_id"] = totals["enrolment_id"].map(cohort_of)  # NaN for the inactive: dropped below
    totals = totals.dropna(subset=["cohort_id"]).astype({"cohort_id": "int64"})
    at_as_of = totals[["enrolment_id", "at_as_of"]].rename(columns={"at_as_of": "jp"}).assign(upto=as_of)
    by_slot = totals.drop(columns="at_as_of").melt(
        id_vars=["enrolment_id", "cohort_id"], var_name="slot", value_name="jp"
    )
    by_slot["slot"] = by_slot["slot"].str.removeprefix("slot_").astype("int64")
    by_slot = by_slot.merge(listed, on=["cohort_id", "slot"])[["enrolment_id", "upto", "jp"]]
    found = pd.concat([at_as_of, by_slot], ignore_index=True).drop_duplicates(["enrolment_id", "upto"])
    found["upto"] = pd.to_datetime(found["upto"])
    wanted = participants[["cohort_id", "enrolment_id"]].merge(cutoffs, on="cohort_id")
    out = wanted[["enrolment_id", "upto"]].merge(found, on=["enrolment_id", "upto"], how="left")
    return out.assign(jp=out["jp"].fillna(0).astype("int64"))


def _workplace_spans(session: Session, cohorts: list[CohortRef]) -> dict[int, tuple[date, date]]:
    """The workplace phase lies between the last session before it and the first after it."""
    out = {}
    by_id = {c.cohort_id: c for c in cohorts}
    for cohort_id, calendar in cohort_calendars(session, cohorts).items():
        work = next(p for p in by_id[cohort_id].template.phases if p.kind == "workplace")
        span = calendar.phase(work.code)
        out[cohort_id] = (span.first_day, span.last_day)
    return out


HISTORY_KEY = ("milestone_id", "enrolment_id", "as_of", "follows_id")


def latest_status_id(session: Session, milestone_id: int, enrolment_id: int, as_of: date) -> int:
    """The history row a change as of ``as_of`` follows (0 when the history is empty until then)."""
    ms = t.MilestoneStatus
    found = session.scalar(
        select(ms.id)
        .where(ms.milestone_id == milestone_id, ms.enrolment_id == enrolment_id, ms.as_of <= as_of)
        .order_by(ms.as_of.desc(), ms.id.desc())
        .limit(1)
    )
    return found or 0


def append_history(session: Session, statuses: pd.DataFrame, cohort_ids: list[int], as_of: date) -> int:
    """Append statuses that differ from the latest known as of ``as_of``; returns rows written."""
    if statuses.empty:
        return 0
    latest = _frame(
        session,
        select(
            t.MilestoneStatus.id,
            t.MilestoneStatus.milestone_id,
            t.MilestoneStatus.enrolment_id,
            t.MilestoneStatus.status,
            t.MilestoneStatus.reason,
            t.MilestoneStatus.as_of,
        )
        .join(t.Milestone)
        .where(t.Milestone.cohort_id.in_(cohort_ids), t.MilestoneStatus.as_of <= as_of),
        ["id", "milestone_id", "enrolment_id", "status", "reason", "as_of"],
    )
    latest = latest.sort_values(["as_of", "id"]).drop_duplicates(["milestone_id", "enrolment_id"], keep="last")
    merged = statuses.merge(latest, on=["milestone_id", "enrolment_id"], how="left", suffixes=("", "_old"))
    same = (merged["status"] == merged["status_old"]) & (merged["reason"].fillna("") == merged["reason_old"].fillna(""))
    new = merged.loc[~same & (merged["status_old"] != WAIVED)]
    rows = [
        {
            "milestone_id": int(r.milestone_id),
            "enrolment_id": int(r.enrolment_id),
            "follows_id": 0 if pd.isna(r.id) else int(r.id),  # the row this change was computed against
            "status": r.status,
            "as_of": as_of,
            "reason": r.reason if isinstance(r.reason, str) else None,
        }
        for r in new.itertuples(index=False)
    ]
    # A change a concurrent check already wrote from the same history has the same chain key: skipped.
    return len(insert_new(session, t.MilestoneStatus.__table__, rows, HISTORY_KEY))
