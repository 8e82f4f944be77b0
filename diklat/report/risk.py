"""Who is told what about participants at risk: the operator, each coach, each mentor."""

from __future__ import annotations

from datetime import date

import pandas as pd

from diklat.domain.nip import mask_nip
from diklat.i18n import N_, translator
from diklat.notify import Message

REASONS = {
    "attendance.unreachable": N_("can no longer reach the attendance minimum"),
    "deliverable.missing": N_("a change-action deliverable was not submitted"),
    "deliverable.late": N_("a change-action deliverable was submitted late"),
    "deliverable.revision_overdue": N_("a required revision is past its deadline"),
    "deliverable.rejected": N_("a change-action deliverable was rejected"),
    "guidance.gap": N_("no coaching or mentoring for longer than allowed"),
}


def reason_text(codes: list[str], language: str | None = None) -> str:
    _ = translator(language)
    return "; ".join(_(REASONS.get(code, code)) for code in codes)


def risk_messages(
    cohort_id: int,
    label: str,
    as_of: date,
    at_risk: pd.DataFrame,
    channels: list[str],
    operator_email: str | None,
    language: str | None = None,
) -> list[Message]:
    """One digest for the operator, one message per coach and per mentor about their own participants.

    ``at_risk``: nip, name, reasons, coach_email, mentor_email. NIPs are masked; names are kept because
    the people told must know whom to help.
    """
    if at_risk.empty:
        return []
    _ = translator(language)
    subject = _("Participants at risk: {cohort}, as of {date}").format(cohort=label, date=as_of.isoformat())
    recipients: list[tuple[str, str, pd.DataFrame]] = [("operator", operator_email or "operator", at_risk)]
    for role, column in (("coach", "coach_email"), ("mentor", "mentor_email")):
        for address, group in at_risk.dropna(subset=[column]).groupby(column):
            recipients.append((role, str(address), group))
    messages = []
    for role, address, group in recipients:
        lines = [
            f"- {row.name} ({mask_nip(row.nip)}): {reason_text(row.reasons, language)}"
            for row in group.itertuples(index=False)
        ]
        body = "\n".join([subject, "", *lines])
        for channel in channels:
            if channel == "smtp" and "@" not in address:
                continue
            key = f"milestone-check:{cohort_id}:{as_of.isoformat()}:{role}:{address}:{channel}"
            messages.append(Message(key[:200], channel, address, subject, body))
    return messages
