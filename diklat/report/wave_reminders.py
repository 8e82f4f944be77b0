"""The reminder sent when an evaluation wave falls due and someone has not answered yet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from diklat.i18n import translator
from diklat.notify import Message


def wave_reminders(
    cohort_id: int,
    cohort: str,
    wave: str,
    recipients: Iterable[str],
    addresses: Mapping[str, str],
    as_of: date,
    channels: Iterable[str],
    language: str | None = None,
) -> list[Message]:
    """One message per recipient (by NIP) and channel; the key makes it once per wave, person, day and channel.

    Without a recorded address the NIP stands in, which only non-mail channels can use.
    """
    _ = translator(language)
    subject = _("Post-training evaluation {wave}: {cohort}").format(wave=wave, cohort=cohort)
    body = _(
        "Please fill in the post-training evaluation questionnaire ({wave}) for {cohort}. If colleagues "
        "(rekan) are asked about you, please pass the questionnaire on to three of them."
    ).format(wave=wave, cohort=cohort)
    messages = []
    for nip in sorted(recipients):
        address = addresses.get(nip, nip)
        for channel in channels:
            if channel == "smtp" and "@" not in address:
                continue
            key = f"wave-reminder:{cohort_id}:{wave}:{nip}:{as_of.isoformat()}:{channel}"
            messages.append(Message(key, channel, address, subject, body))
    return messages
