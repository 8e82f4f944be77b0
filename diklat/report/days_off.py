"""What operators and the cohorts' people read about a declared day off (no personal data in the artifact)."""

from __future__ import annotations

from collections.abc import Sequence

from diklat.domain.days_off import DayOffOutcome
from diklat.i18n import translator
from diklat.notify import Message
from diklat.report.markdown import table


def day_off_markdown(program: str, outcome: DayOffOutcome) -> str:
    """The day off and, per cohort, what moved: classical days, due dates, the last day."""
    _ = translator()
    title = _("Day off {day}: {programme}").format(day=outcome.day.isoformat(), programme=program)
    lines = [f"### {title}", ""]
    if outcome.already:
        return "\n".join([*lines, _("This day off was already recorded; nothing changed.")])
    if not outcome.cohorts:
        return "\n".join([*lines, _("Recorded. No running cohort has a classical day or a due date moved by it.")])
    headers = [_("Cohort"), _("Classical days moved"), _("Due dates moved"), _("Last day before"), _("Last day now")]
    rows = [
        [c.label, c.sessions_moved, c.milestones_moved, c.old_end.isoformat(), c.new_end.isoformat()]
        for c in outcome.cohorts
    ]
    return "\n".join(
        [
            *lines,
            *table(headers, rows, 0),
            "",
            _("The next milestone check tells the participants, coaches and mentors."),
        ]
    )


def notice_text(
    day: str, reason: str, sessions: int, milestones: int, old_end: str, new_end: str, language: str | None = None
) -> str:
    """One line about a calendar that moved (for the milestone check's artifact and its messages)."""
    _ = translator(language)
    return _(
        "Day off {day} ({reason}): {sessions} classical days and {milestones} due dates moved; "
        "the last day is now {new_end} (was {old_end})."
    ).format(day=day, reason=reason, sessions=sessions, milestones=milestones, old_end=old_end, new_end=new_end)


def notice_messages(
    cohort_id: int,
    label: str,
    day: str,
    text: str,
    addresses: Sequence[str],
    channels: Sequence[str],
    language: str | None = None,
) -> list[Message]:
    """One message per person of the cohort (participants, coaches, mentors, the operator), once per day off."""
    _ = translator(language)
    subject = _("Calendar changed: {cohort}").format(cohort=label)
    body = "\n".join(
        [subject, "", text, "", _("The new schedule is in the cohort's calendar; ask the organiser if unsure.")]
    )
    messages = []
    for address in dict.fromkeys(addresses):  # each person once, in the order given
        for channel in channels:
            if channel == "smtp" and "@" not in address:
                continue
            key = f"day-off:{cohort_id}:{day}:{address}:{channel}"
            messages.append(Message(key[:200], channel, address, subject, body))
    return messages
