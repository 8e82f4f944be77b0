"""Delivering the outbox: claim pending messages, put their links in, send, confirm each (never twice).

Used by every flow that sends (through ``tasks.milestones.deliver_notifications``) and by the public
pages, which send a peer's invitation as soon as the alumnus names them. An address the mail server
refuses is a bounce: the message is marked so, and an invitation's bounce is shown to the operator.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from diklat import faultpoints, processes
from diklat.bootstrap import Services
from diklat.domain.invitations import invitation_of_key
from diklat.domain.tokens import has_links, render_links
from diklat.notify import Message
from diklat.store import invitations, notifications


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def deliver(services: Services, keys: Collection[str] | None = None) -> int:
    """Send what is pending (only these keys, when given); returns how many the channels accepted."""
    channels = services.notifiers
    with services.unit_of_work() as session:
        # A delivery on this host that died mid-way (its process is gone) left its messages claimed: take
        # them over now rather than after the claim timeout.
        dead = {claimer for claimer in notifications.claimers(session) if processes.gone(claimer)}
        claimed = notifications.claim(session, channels, _now(), processes.this_process(), dead, keys=keys)
    ids = {message.key: nid for nid, message in claimed}
    settings = services.settings

    def confirm(message: Message) -> None:
        faultpoints.reached("deliver.sent-not-confirmed")  # the first message is out, not yet marked sent
        with services.unit_of_work() as session:
            notifications.mark_sent(session, [ids[message.key]])

    def bounced(message: Message) -> None:
        with services.unit_of_work() as session:
            notifications.mark_bounced(session, [ids[message.key]])
            invitation = invitation_of_key(message.key)
            if invitation is not None:
                invitations.mark_bounced(session, [invitation], _now())

    by_channel: dict[str, list[Message]] = {}
    for _, message in claimed:
        if has_links(message.body):  # the link exists only in the message that goes out
            body = render_links(message.body, settings.secret(), settings.public_url)
            message = Message(message.key, message.channel, message.recipient, message.subject, body)
        by_channel.setdefault(message.channel, []).append(message)
    sent = 0
    for channel, messages in by_channel.items():
        notifier = channels[channel]
        if hasattr(notifier, "send_all"):
            sent += notifier.send_all(messages, on_sent=confirm, on_refused=bounced)
        else:
            for message in messages:
                notifier.send(message)
                confirm(message)
                sent += 1
    return sent
