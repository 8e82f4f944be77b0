"""Notification channels keep personal data out of logs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def test_the_log_channel_never_writes_a_full_nip(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from diklat.notify import LogNotifier, Message

    with caplog.at_level(logging.INFO, logger="diklat.notify"):
        LogNotifier().send(Message("k", "log", "198001012005011001", "Evaluasi 3m", "body"))
    assert "198001012005011001" not in caplog.text and "198001**********01" in caplog.text


def test_the_smtp_password_never_appears_in_a_repr_or_a_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    from diklat.settings import Settings

    monkeypatch.setenv("DIKLAT_SMTP_PASSWORD", "rahasia-123")
    settings = Settings()
    assert "rahasia-123" not in repr(settings) and "rahasia-123" not in settings.model_dump_json()
    assert settings.smtp_password.get_secret_value() == "rahasia-123"


def test_the_log_channel_masks_an_e_mail_recipient(caplog) -> None:
    import logging

    from diklat.notify import LogNotifier, Message

    with caplog.at_level(logging.INFO):
        LogNotifier(logging.getLogger("diklat.test")).send(
            Message("k", "log", "mila.winarsih@bpsdm.jambiprov.go.id", "Peserta berisiko", "…")
        )
    assert "m***@bpsdm.jambiprov.go.id" in caplog.text and "winarsih" not in caplog.text
