"""Independent test oracles: what the documented rules give for the faults a generator planted.

Written from docs/milestone-rules.md, never from production code, so a wrong rule in
diklat/domain/progress.py cannot also make its own expectation wrong.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

DAY = timedelta(days=1)


def milestone_of(calendar, stage):
    return next(m for m in calendar.milestones if m.rule.get("stage") == stage)


def planted_at_risk(evidence, calendar, template, as_of: date) -> dict[str, set[str]]:  # noqa: ANN001
    """NIP -> the at-risk reasons the milestone check must report as of ``as_of``, from the planted faults.

    Only days up to the export day can be asked about (later evidence does not exist); a participant
    withdrawn later is a model participant until then (their evidence runs to the withdrawal), never at
    risk, and is not checked afterwards; model participants are never at risk.
    """
    if as_of > evidence.as_of:
        raise ValueError(f"the evidence was exported on {evidence.as_of}; {as_of} is later")
    out: dict[str, set[str]] = {}
    for fault in evidence.faults:
        reason = _planted_reason(fault, calendar, template, as_of)
        if reason and fault.nip not in evidence.withdrawn:
            out.setdefault(fault.nip, set()).add(reason)
    return out


def _planted_reason(fault, calendar, template, as_of: date) -> str | None:  # noqa: ANN001
    if fault.fault == "absent":
        # best reachable = (all classical JP - JP lost in sessions up to as_of) / all classical JP
        total = sum(s.jp for s in calendar.sessions)
        lost = sum(s.jp for s in calendar.sessions if s.date in fault.dates and s.date <= as_of)
        short = Decimal(total - lost) * 100 < Decimal(str(template.attendance_minimum_percent)) * total
        return "attendance.unreachable" if short else None
    if fault.fault == "coaching_gap":
        # the coaching milestone (due at the end of the workplace phase) is missed once due; before
        # that, a risk while the stretch since the last meeting is longer than allowed
        gap_start, gap_end = fault.dates
        work = calendar.phase("aktualisasi")
        coaching = next(m for m in calendar.milestones if m.kind == "coaching")
        missed = coaching.due_date <= as_of
        open_gap = work.first_day <= as_of <= work.last_day and gap_start <= as_of < gap_end
        too_long = open_gap and (as_of - gap_start).days > template.coaching.max_gap_days
        return "guidance.gap" if missed or too_long else None
    m = milestone_of(calendar, fault.stage)
    if as_of <= m.due_date:  # pending until due
        return None
    if fault.fault == "late_deliverable":  # missing until the late record exists, late after
        (submitted,) = fault.dates
        return "deliverable.late" if submitted <= as_of else "deliverable.missing"
    if fault.fault == "revision_not_cleared":  # pending through the revision allowance
        overdue = as_of > m.due_date + m.rule["revision_days"] * DAY
        return "deliverable.revision_overdue" if overdue else None
    return {"missing_deliverable": "deliverable.missing", "rejected_deliverable": "deliverable.rejected"}[fault.fault]
