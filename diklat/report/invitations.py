"""The e-mail that carries a respondent's one-time questionnaire link."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from diklat.domain.dates import format_date_id
from diklat.domain.invitations import Invitation, message_key
from diklat.domain.tokens import link_marker
from diklat.i18n import N_, translator
from diklat.notify import Message
from diklat.settings import get_settings

ROLE_LABELS = {
    "alumni": N_("yourself, as an alumnus of the programme"),
    "atasan": N_("a member of your staff who took part, as their direct superior"),
    "rekan": N_("a colleague who took part, as their peer"),
}


def invitation_messages(
    invitations: Sequence[Invitation], cohort: str, wave: str, channels: Iterable[str], language: str | None = None
) -> list[Message]:
    """One message per invitation, on the e-mail channel where configured (else the first channel).

    The link is a marker here: the outbox stores no link, ``diklat.outbox`` writes it in as it sends.
    """
    language = language or get_settings().language
    _ = translator(language)
    channels = list(channels)
    if not channels:
        return []
    channel = "smtp" if "smtp" in channels else channels[0]
    subject = _("Post-training evaluation {wave}: {cohort}").format(wave=wave, cohort=cohort)
    out = []
    for inv in invitations:
        body = _(
            "You are asked to fill in the post-training evaluation questionnaire ({wave}) of {cohort}, about "
            "{about}.\n\nYour personal link (use it once, do not pass it on):\n{link}\n\nThe link is valid "
            "until {expires}. Answers are used only for the evaluation; peers' answers are reported only in "
            "groups."
        ).format(
            wave=wave,
            cohort=cohort,
            about=_(ROLE_LABELS[inv.role]),
            link=link_marker(inv.nonce),
            expires=format_date_id(inv.expires_on) if language == "id" else inv.expires_on.isoformat(),
        )
        out.append(Message(message_key(inv), channel, inv.email, subject, body))
    return out
