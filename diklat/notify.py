"""Notifications through pluggable channels: the run log, and e-mail over SMTP."""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from diklat.settings import Settings

log = logging.getLogger("diklat.notify")


@dataclass(frozen=True)
class Message:
    key: str  # unique: the same check never sends the same message twice
    channel: str
    recipient: str
    subject: str
    body: str


class Notifier(Protocol):
    channel: str

    def send(self, message: Message) -> None: ...


class LogNotifier:
    """Writes the notification to the run log (recipient kept, body left out: it names people)."""

    channel = "log"

    def __init__(self, logger: logging.Logger | None = None):
        self.logger = logger

    def send(self, message: Message) -> None:
        from diklat.domain.privacy import mask_personal

        # The recipient is personal data (an e-mail address, or a NIP when there is none): masked in the
        # log, which Prefect stores with the run. The message itself stays in diklat's outbox.
        recipient = mask_personal(message.recipient)
        self._logger().info("Notification to %s: %s", recipient, message.subject)

    def _logger(self) -> logging.Logger | logging.LoggerAdapter:
        """The run's logger inside a flow or task, so the line is stored with the run and shown in the UI.

        A plain module logger has no handler in a worker: the channel would drop every message while
        the notification is marked sent.
        """
        if self.logger is not None:
            return self.logger
        if "prefect" not in sys.modules:  # no flow run in this process (the public pages): no run logger
            return log
        from prefect.exceptions import MissingContextError
        from prefect.logging import get_run_logger

        try:
            return get_run_logger()
        except MissingContextError:
            return log


class SmtpNotifier:
    """Sends e-mail through an SMTP server (one connection per batch of messages)."""

    channel = "smtp"

    def __init__(self, settings: Settings):
        self.settings = settings

    def send(self, message: Message) -> None:
        self.send_all([message])

    def send_all(
        self,
        messages: list[Message],
        on_sent: Callable[[Message], None] | None = None,
        on_refused: Callable[[Message], None] | None = None,
    ) -> int:
        """One connection for the batch; ``on_sent`` after each message the server accepted, ``on_refused``
        for each whose recipient it refused (a bounce: retrying would not help). Returns how many went out.

        Confirming message by message is what keeps a crash from re-sending more than the one in flight.
        """
        s = self.settings
        sent = 0
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value() if s.smtp_password else "")
            for message in messages:
                email = EmailMessage()
                email["From"], email["To"], email["Subject"] = s.smtp_sender, message.recipient, message.subject
                email.set_content(message.body)
                try:
                    smtp.send_message(email)
                except smtplib.SMTPRecipientsRefused:
                    if on_refused is None:
                        raise
                    on_refused(message)
                    continue
                sent += 1
                if on_sent is not None:
                    on_sent(message)
        return sent


def notifiers(settings: Settings) -> dict[str, Notifier]:
    """The configured channels (DIKLAT_NOTIFY_CHANNELS), by name."""
    available = {"log": LogNotifier, "smtp": lambda: SmtpNotifier(settings)}
    return {name: available[name]() for name in settings.notify_channels}
