"""Milestone status and at-risk rules over whole frames of cohorts (docs/milestone-rules.md).

Pure: frames in, frames out, ``as_of`` a parameter. Evidence dated after ``as_of`` is dropped first,
so a check for a past date reproduces what was known then. Works on many cohorts at once so that a
daily check is a handful of vectorised operations, not a loop over participants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

MET, MISSED, PENDING, WAIVED = "met", "missed", "pending", "waived"


@dataclass(frozen=True)
class ProgressInputs:
    """Frames of the cohorts being checked (one row per thing; ids are database ids)."""

    participants: pd.DataFrame  # cohort_id, enrolment_id, nip (active participants only)
    cohorts: pd.DataFrame  # cohort_id, minimum_percent, max_gap_days, work_start, work_end
    sessions: pd.DataFrame  # cohort_id, session_id, date, jp, recorded (any attendance row for it)
    milestones: pd.DataFrame  # cohort_id, milestone_id, code, kind, due_date, required, stage, revision_days
    # enrolment_id, upto, jp: JP attended in sessions dated on or before ``upto``, for every participant
    # and every cutoff ``attendance_cutoffs`` names (totals, not rows: 3.5 million rows at national size)
    attended: pd.DataFrame
    guidance: pd.DataFrame  # enrolment_id, date
    deliverables: pd.DataFrame  # enrolment_id, stage, date, outcome
    waived: pd.DataFrame  # milestone_id, enrolment_id


@dataclass(frozen=True)
class Progress:
    statuses: pd.DataFrame  # milestone_id, enrolment_id, status, reason
    participants: pd.DataFrame  # enrolment_id, attended_jp, lost_jp, total_jp, attendance_pct, best_pct, reasons
    unrecorded_sessions: pd.DataFrame  # cohort_id, session_id, date: past sessions without any record


DATE_COLUMNS = {
    "cohorts": ("work_start", "work_end"),
    "sessions": ("date",),
    "attended": ("upto",),
    "milestones": ("due_date",),
    "guidance": ("date",),
    "deliverables": ("date",),
}


def _as_datetimes(data: ProgressInputs) -> ProgressInputs:
    """Dates as datetime64 so that comparisons and gaps are vectorised."""
    frames = {}
    for name in ProgressInputs.__dataclass_fields__:
        frame = getattr(data, name)
        columns = DATE_COLUMNS.get(name, ())
        if columns:
            frame = frame.assign(**{c: pd.to_datetime(frame[c]) for c in columns})
        frames[name] = frame
    return ProgressInputs(**frames)


def attendance_cutoffs(milestones: pd.DataFrame, cohort_ids: Sequence[int], as_of: date) -> pd.DataFrame:
    """cohort_id, upto: the dates attendance totals are needed up to (``as_of``, and each attendance milestone due)."""
    due = milestones[
        (milestones["kind"] == "attendance") & (pd.to_datetime(milestones["due_date"]) <= pd.Timestamp(as_of))
    ]
    cutoffs = pd.concat(
        [
            pd.DataFrame({"cohort_id": list(cohort_ids), "upto": pd.Timestamp(as_of)}),
            pd.DataFrame({"cohort_id": due["cohort_id"], "upto": pd.to_datetime(due["due_date"])}),
        ],
        ignore_index=True,
    )
    return cutoffs.drop_duplicates().sort_values(["cohort_id", "upto"], ignore_index=True)


def attended_totals(
    attendance: pd.DataFrame, sessions: pd.DataFrame, participants: pd.DataFrame, cutoffs: pd.DataFrame
) -> pd.DataFrame:
    """The definition of ``ProgressInputs.attended`` from attendance rows (enrolment_id, session_id, jp).

    The database computes the same in SQL (``diklat.store.progress``); this is for small inputs and tests.
    """
    dated = attendance.merge(sessions[["session_id", "date"]], on="session_id")
    dated["date"] = pd.to_datetime(dated["date"])
    pairs = participants[["cohort_id", "enrolment_id"]].merge(cutoffs, on="cohort_id")
    joined = pairs.merge(dated, on="enrolment_id", how="left")
    inside = joined["date"] <= joined["upto"]
    totals = joined[inside].groupby(["enrolment_id", "upto"], as_index=False)["jp"].sum()
    out = pairs[["enrolment_id", "upto"]].merge(totals, on=["enrolment_id", "upto"], how="left")
    return out.assign(jp=out["jp"].fillna(0).astype("int64"))


def with_recorded(sessions: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """``sessions`` with the ``recorded`` column from attendance rows (for small inputs and tests)."""
    return sessions.assign(recorded=sessions["session_id"].isin(attendance["session_id"]))


def check_progress(data: ProgressInputs, as_of: date) -> Progress:
    """Every due milestone's status and every participant's at-risk reasons as of ``as_of``."""
    needed = attendance_cutoffs(data.milestones, data.participants["cohort_id"].unique().tolist(), as_of)
    data = _as_datetimes(data)
    _require_totals(data, needed)
    as_of = pd.Timestamp(as_of)
    sessions = data.sessions[data.sessions["date"] <= as_of]
    guidance = data.guidance[data.guidance["date"] <= as_of]
    deliverables = data.deliverables[data.deliverables["date"] <= as_of]
    due = data.milestones[data.milestones["due_date"] <= as_of]
    pairs = data.participants[["cohort_id", "enrolment_id"]].merge(due, on="cohort_id")

    figures = attendance_figures(data, as_of)
    statuses = pd.concat(
        [
            _attendance_milestones(pairs, data),
            _deliverable_milestones(pairs, deliverables, as_of),
            _coaching_milestones(pairs, data, guidance),
            _assessment_milestones(pairs),
        ],
        ignore_index=True,
    )
    statuses = _apply_waivers(statuses, data.waived)
    figures["reasons"] = _reasons(figures, statuses, pairs, data, guidance, as_of)
    unrecorded = sessions.loc[~sessions["recorded"].astype(bool), ["cohort_id", "session_id", "date"]]
    return Progress(statuses, figures, unrecorded.reset_index(drop=True))


def _require_totals(data: ProgressInputs, needed: pd.DataFrame) -> None:
    """Every participant has an attendance total at every cutoff the rules read (a loader bug otherwise)."""
    wanted = data.participants[["cohort_id", "enrolment_id"]].merge(needed.assign(upto=pd.to_datetime(needed["upto"])))
    found = wanted.merge(
        data.attended[["enrolment_id", "upto"]], on=["enrolment_id", "upto"], how="left", indicator=True
    )
    lacking = found[found["_merge"] == "left_only"]
    if not lacking.empty:
        first = lacking.iloc[0]
        raise ValueError(
            f"{len(lacking)} attendance total(s) missing, e.g. enrolment {first['enrolment_id']} "
            f"up to {first['upto'].date()}"
        )


def attendance_figures(data: ProgressInputs, upto: pd.Timestamp) -> pd.DataFrame:
    """JP attended and lost up to ``upto``, and the best attendance still reachable (per cent)."""
    total = data.sessions.groupby("cohort_id")["jp"].sum().rename("total_jp")
    past = data.sessions[(data.sessions["date"] <= upto) & data.sessions["recorded"].astype(bool)]
    recorded = past.groupby("cohort_id")["jp"].sum().rename("recorded_jp")
    at = data.attended[data.attended["upto"] == upto]
    attended = at.groupby("enrolment_id")["jp"].sum().rename("attended_jp")
    out = data.participants[["cohort_id", "enrolment_id", "nip"]].merge(total, on="cohort_id", how="left")
    out = out.merge(recorded, on="cohort_id", how="left").merge(attended, on="enrolment_id", how="left")
    out[["total_jp", "recorded_jp", "attended_jp"]] = out[["total_jp", "recorded_jp", "attended_jp"]].fillna(0)
    out["lost_jp"] = out["recorded_jp"] - out["attended_jp"]
    out = out.merge(data.cohorts[["cohort_id", "minimum_percent"]], on="cohort_id")
    total_jp = out["total_jp"].where(out["total_jp"] > 0, np.nan)
    recorded_jp = out["recorded_jp"].where(out["recorded_jp"] > 0, np.nan)
    out["attendance_pct"] = (out["attended_jp"] * 100 / recorded_jp).round(2)
    out["best_pct"] = ((out["total_jp"] - out["lost_jp"]) * 100 / total_jp).round(2)
    # Compare in whole JP (integers) so that no float rounding decides a band edge.
    out["unreachable"] = (out["total_jp"] - out["lost_jp"]) * 100 < out["minimum_percent"] * out["total_jp"]
    return out


def _attendance_milestones(pairs: pd.DataFrame, data: ProgressInputs) -> pd.DataFrame:
    rows = pairs[pairs["kind"] == "attendance"]
    if rows.empty:
        return _empty()
    out = []
    for due_date, group in rows.groupby("due_date"):
        figures = attendance_figures(data, due_date).set_index("enrolment_id")
        missed = group["enrolment_id"].map(figures["unreachable"]).fillna(False).astype(bool)
        out.append(
            pd.DataFrame(
                {
                    "milestone_id": group["milestone_id"],
                    "enrolment_id": group["enrolment_id"],
                    "status": np.where(missed, MISSED, MET),
                    "reason": np.where(missed, "attendance.unreachable", None),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def _deliverable_milestones(pairs: pd.DataFrame, deliverables: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    rows = pairs[pairs["kind"].isin(["deliverable", "seminar"])].copy()
    if rows.empty:
        return _empty()
    rows["deadline"] = rows["due_date"] + pd.to_timedelta(rows["revision_days"].fillna(0).astype(int), unit="D")
    joined = rows[["milestone_id", "enrolment_id", "stage", "due_date", "deadline"]].merge(
        deliverables, on=["enrolment_id", "stage"], how="left"
    )
    on_time = joined["date"] <= joined["due_date"]
    outcome = joined["outcome"]
    joined = joined.assign(
        accepted_on_time=on_time & (outcome == "accepted"),
        revise_on_time=on_time & (outcome == "revise"),
        accepted_in_revision=(joined["date"] <= joined["deadline"]) & (outcome == "accepted"),
        rejected_on_time=on_time & (outcome == "rejected"),
        late=joined["date"] > joined["due_date"],
    )
    flags = ["accepted_on_time", "revise_on_time", "accepted_in_revision", "rejected_on_time", "late"]
    agg = joined.groupby(["milestone_id", "enrolment_id"], sort=False)[flags].any().reset_index()
    agg = agg.merge(rows[["milestone_id", "enrolment_id", "due_date", "deadline"]], on=["milestone_id", "enrolment_id"])
    in_revision = agg["revise_on_time"] & ~agg["accepted_on_time"]
    conditions = [
        agg["accepted_on_time"],
        in_revision & agg["accepted_in_revision"],
        in_revision & (agg["deadline"] >= as_of),
        in_revision,
        agg["due_date"] >= as_of,
        agg["rejected_on_time"],
        agg["late"],
    ]
    status = np.select(conditions, [MET, MET, PENDING, MISSED, PENDING, MISSED, MISSED], default=MISSED)
    reason = np.select(
        conditions,
        [None, None, None, "deliverable.revision_overdue", None, "deliverable.rejected", "deliverable.late"],
        default="deliverable.missing",
    )
    return pd.DataFrame(
        {"milestone_id": agg["milestone_id"], "enrolment_id": agg["enrolment_id"], "status": status, "reason": reason}
    )


def guidance_gaps(
    participants: pd.DataFrame, cohorts: pd.DataFrame, guidance: pd.DataFrame, upto: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Longest and current stretch without guidance in the workplace phase, per participant.

    Counts from the phase's first day to the first meeting, between meetings, and from the last
    meeting to ``upto`` (default: the phase's last day).
    """
    base = participants[["cohort_id", "enrolment_id"]].merge(
        cohorts[["cohort_id", "work_start", "work_end", "max_gap_days"]], on="cohort_id"
    )
    base["upto"] = base["work_end"] if upto is None else base["work_end"].clip(upper=upto)
    meetings = guidance.merge(base[["enrolment_id", "work_start", "upto"]], on="enrolment_id")
    meetings = meetings[(meetings["date"] >= meetings["work_start"]) & (meetings["date"] <= meetings["upto"])]
    points = pd.concat(
        [
            base[["enrolment_id", "work_start"]].rename(columns={"work_start": "date"}),
            meetings[["enrolment_id", "date"]],
            base[["enrolment_id", "upto"]].rename(columns={"upto": "date"}),
        ]
    ).sort_values(["enrolment_id", "date"])
    points["gap"] = points.groupby("enrolment_id")["date"].diff().dt.days.fillna(0)
    longest = points.groupby("enrolment_id")["gap"].max().rename("longest_gap")
    last = (
        pd.concat(
            [
                base[["enrolment_id", "work_start"]].rename(columns={"work_start": "date"}),
                meetings[["enrolment_id", "date"]],
            ]
        )
        .groupby("enrolment_id")["date"]
        .max()
        .rename("last")
    )
    out = base.merge(longest, on="enrolment_id").merge(last, on="enrolment_id")
    out["current_gap"] = (out["upto"] - out["last"]).dt.days
    return out


def _coaching_milestones(pairs: pd.DataFrame, data: ProgressInputs, guidance: pd.DataFrame) -> pd.DataFrame:
    rows = pairs[pairs["kind"] == "coaching"]
    if rows.empty:
        return _empty()
    gaps = guidance_gaps(data.participants, data.cohorts, guidance).set_index("enrolment_id")
    over = rows["enrolment_id"].map(gaps["longest_gap"] > gaps["max_gap_days"]).fillna(False).astype(bool)
    return pd.DataFrame(
        {
            "milestone_id": rows["milestone_id"],
            "enrolment_id": rows["enrolment_id"],
            "status": np.where(over, MISSED, MET),
            "reason": np.where(over, "guidance.gap", None),
        }
    )


def _assessment_milestones(pairs: pd.DataFrame) -> pd.DataFrame:
    """Decided by the final assessment; the daily check leaves them pending."""
    rows = pairs[pairs["kind"] == "assessment"]
    return pd.DataFrame(
        {"milestone_id": rows["milestone_id"], "enrolment_id": rows["enrolment_id"], "status": PENDING, "reason": None}
    )


def _apply_waivers(statuses: pd.DataFrame, waived: pd.DataFrame) -> pd.DataFrame:
    if waived.empty or statuses.empty:
        return statuses
    key = pd.MultiIndex.from_frame(statuses[["milestone_id", "enrolment_id"]])
    hit = key.isin(pd.MultiIndex.from_frame(waived[["milestone_id", "enrolment_id"]]))
    statuses.loc[hit, "status"] = WAIVED
    statuses.loc[hit, "reason"] = None
    return statuses


def _reasons(
    figures: pd.DataFrame,
    statuses: pd.DataFrame,
    pairs: pd.DataFrame,
    data: ProgressInputs,
    guidance: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.Series:
    """Sorted at-risk reason codes per participant (empty list: on track)."""
    reasons: dict[int, set[str]] = {int(e): set() for e in figures["enrolment_id"]}
    for enrolment_id in figures.loc[figures["unreachable"], "enrolment_id"]:
        reasons[int(enrolment_id)].add("attendance.unreachable")
    # Any missed milestone is a warning sign, required for graduation or not (progress reports too).
    missed = statuses[statuses["status"] == MISSED]
    for enrolment_id, reason in zip(missed["enrolment_id"], missed["reason"], strict=True):
        reasons[int(enrolment_id)].add(reason)
    live = data.cohorts[(data.cohorts["work_start"] <= as_of) & (data.cohorts["work_end"] >= as_of)]
    if not live.empty:
        active = data.participants[data.participants["cohort_id"].isin(live["cohort_id"])]
        gaps = guidance_gaps(active, live, guidance, upto=as_of)
        for enrolment_id in gaps.loc[gaps["current_gap"] > gaps["max_gap_days"], "enrolment_id"]:
            reasons[int(enrolment_id)].add("guidance.gap")
    return figures["enrolment_id"].map(lambda e: sorted(reasons[int(e)]))


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["milestone_id", "enrolment_id", "status", "reason"])
