"""A closed cohort whose +3 month wave is open, with its invitations made by the flows' own code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from diklat.bootstrap import services
from diklat.domain.tokens import token_for
from schemas import tables as t
from tests.helpers import enrol_clean_roster, free_port

PROGRAM = "PKP Publik 2022"
START = date(2022, 7, 14)


@dataclass
class Wave:
    cohort_id: int
    nips: list[str]
    superiors: dict[str, str]
    tokens: dict[tuple[str, str], str]  # (alumnus NIP, role) -> the link's token, as the e-mail carries it

    def token(self, role: str, n: int = 0) -> str:
        return self.tokens[(self.nips[n], role)]


def open_wave(cohort_id: int) -> None:
    """The +3 month wave of the cohort falls due: respondents expected, invitations planned (as the flow does)."""
    from diklat.store import notifications, waves
    from diklat.store.evaluation import pin_waves
    from tasks.common import current_instrument
    from tasks.evaluation import plan_invitations

    with services().unit_of_work() as session:
        [due] = [w for w in waves.due_waves(session, date(2023, 3, 1), [cohort_id]) if w.wave == "3m"]
        waves.expect_respondents(session, due)
        pin_waves(session, cohort_id, [due.wave], current_instrument())
        notifications.plan(session, plan_invitations(session, due, list(services().settings.notify_channels)))


@pytest.fixture
def wave(settings, tmp_path: Path) -> Wave:
    with services().unit_of_work() as session:
        from diklat.store.calendar import write_calendar

        ref, _ = enrol_clean_roster(session, tmp_path, PROGRAM, START, n=4)
        write_calendar(session, ref)
        for enrolment in session.scalars(select(t.Enrolment)):
            session.add(t.Result(enrolment_id=enrolment.id, status="lulus", explanation={}))
        session.get(t.Cohort, ref.cohort_id).status = "closed"
        # each one's direct superior with the roster's NAMA ATASAN and EMAIL ATASAN, as an agency gives them
        for n, enrolment in enumerate(session.scalars(select(t.Enrolment).order_by(t.Enrolment.id))):
            session.add(
                t.Assignment(
                    enrolment_id=enrolment.id,
                    role="mentor",
                    person_nip=f"19700101199503100{n + 1}",
                    person_name=f"Atasan {n}",
                    email=f"atasan.{n}@bkpsdmd.example.go.id",
                )
            )
        nips = list(session.scalars(select(t.Enrolment.nip).order_by(t.Enrolment.id)))
        superiors = dict(
            session.execute(
                select(t.Enrolment.nip, t.Assignment.person_nip).join(t.Assignment).where(t.Assignment.role == "mentor")
            ).all()
        )
    open_wave(ref.cohort_id)
    return Wave(ref.cohort_id, nips, superiors, invitation_tokens())


def invitation_tokens() -> dict[tuple[str, str], str]:
    secret = services().settings.secret()
    with services().unit_of_work() as session:
        rows = session.execute(
            select(t.SurveyInvitation.alumnus_nip, t.SurveyInvitation.role, t.SurveyInvitation.nonce).where(
                t.SurveyInvitation.role != "rekan"
            )
        ).all()
    return {(nip, role): token_for(secret, nonce) for nip, role, nonce in rows}


def expire(token_role: str, nip: str) -> None:
    with services().unit_of_work() as session:
        session.execute(
            update(t.SurveyInvitation)
            .where(t.SurveyInvitation.alumnus_nip == nip, t.SurveyInvitation.role == token_role)
            .values(expires_on=date(2020, 1, 1))
        )


@pytest.fixture
def refusing_smtp(settings, monkeypatch) -> list:  # noqa: ANN001
    """A real SMTP server on loopback that refuses any address at tidak-ada.example (a bounce)."""
    from aiosmtpd.controller import Controller

    from diklat.settings import get_settings

    received: list = []

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: ANN001, ANN201, N802
            if address.endswith("@tidak-ada.example"):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
            from email import message_from_bytes, policy

            received.append(
                (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default).get_content())
            )
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("DIKLAT_NOTIFY_CHANNELS", '["smtp"]')
    monkeypatch.setenv("DIKLAT_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield received
    controller.stop()
