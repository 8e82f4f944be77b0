"""A participant's standing at the assessment date: attendance, required milestones, revisions owed.

The graduation rules (``diklat.domain.grading.decide``) need more than the scores; this reads it from
the same progress rules as the daily check (``diklat.domain.progress.check_progress``), so the final
assessment and the daily digest never disagree about a milestone.
"""

from __future__ import annotations

import pandas as pd

from diklat.domain.grading import Standing
from diklat.domain.progress import MISSED, PENDING

# Attendance has its own rule (the minimum percentage) and the assessment is what is being decided.
NOT_COUNTED = ("attendance", "assessment")


def standings(
    statuses: pd.DataFrame,
    milestones: pd.DataFrame,
    figures: pd.DataFrame,
    people: pd.DataFrame,
    scores_quarantined: frozenset[int] = frozenset(),
) -> dict[int, Standing]:
    """Each participant's standing (enrolment id -> Standing).

    ``statuses``: the progress statuses (milestone_id, enrolment_id, status, reason); ``milestones``:
    milestone_id, code, milestone_kind, required; ``figures``: the progress figures (enrolment_id,
    unreachable: the attendance minimum can no longer be met); ``people``: enrolment_id, status,
    deferral_cleared_on; ``scores_quarantined``: enrolment ids with a score row waiting in quarantine.

    A required milestone still pending (not a coaching one), or a deliverable whose revision is
    overdue, is a revision owed (a deferred pass); any other required milestone missed fails.
    """
    merged = statuses.merge(milestones, on="milestone_id", how="left")  # keeps the statuses' order
    counted = merged["required"].astype(bool) & ~merged["milestone_kind"].isin(NOT_COUNTED)
    merged = merged[counted]
    owed = (merged["reason"] == "deliverable.revision_overdue") | (
        (merged["status"] == PENDING) & (merged["milestone_kind"] != "coaching")
    )
    missed = ~owed & (merged["status"] == MISSED)
    owed_codes = _codes(merged[owed])
    missed_codes = _codes(merged[missed])
    unreachable = dict(zip(figures["enrolment_id"].tolist(), figures["unreachable"].tolist(), strict=True))
    return {
        e: Standing(
            withdrawn=status == "withdrawn",
            attendance_met=not bool(unreachable.get(e, False)),
            missing_components=(),
            missed_required=missed_codes.get(e, ()),
            revisions_owed=owed_codes.get(e, ()),
            deferral_cleared=cleared is not None and not pd.isna(cleared),
            scores_quarantined=e in scores_quarantined,
        )
        for e, status, cleared in zip(
            people["enrolment_id"].tolist(),
            people["status"].tolist(),
            people["deferral_cleared_on"].tolist(),
            strict=True,
        )
    }


def _codes(statuses: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """enrolment id -> milestone codes, in the order the progress rules listed them."""
    out: dict[int, list[str]] = {}
    for enrolment_id, code in zip(statuses["enrolment_id"].tolist(), statuses["code"].tolist(), strict=True):
        out.setdefault(int(enrolment_id), []).append(code)
    return {e: tuple(codes) for e, codes in out.items()}
