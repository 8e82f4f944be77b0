"""A questionnaire behind a one-time link: open it, save it part-way, answer it once.

No HTTP here: the pages (``diklat.public.app``) call these and render what they return, so the rules
are tested without a browser. Answers pass the same gate as an uploaded answers file
(``diklat.gate.evidence.gate_responses``) and are stored as the same records.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from diklat.bootstrap import Services
from diklat.clock import today_in
from diklat.domain.evaluation.online import (
    FormItem,
    answer_rows,
    field_values,
    form_items,
    peer_addresses,
    unasked_answers,
)
from diklat.domain.invitations import Invitation, expiry, message_key
from diklat.domain.problems import Problem
from diklat.domain.tokens import TOKEN_PATTERN, token_for, token_sha256
from diklat.gate.evidence import gate_responses
from diklat.report.invitations import invitation_messages
from diklat.store import invitations, notifications
from diklat.store.cohorts import cohort_ref
from diklat.store.evaluation import response_context, store_online_answers, wave_instrument
from diklat.templates import resolve_instrument
from schemas.instrument import COURSE_WAVE, Instrument

Kind = Literal["form", "answered", "expired", "unknown"]
PEERS_EXTRA = 2  # fields beyond the template's minimum peer group, for an alumnus who asks more colleagues
GENERAL = "_form"  # errors not about one question (a question the form never asked)
_TOKEN = re.compile(TOKEN_PATTERN)
_GATE = threading.Lock()  # one gate run at a time: a Great Expectations context is not shared across threads


@dataclass
class Page:
    """What the questionnaire page shows."""

    kind: Kind
    invitation: Invitation | None = None
    context: dict[str, Any] = field(default_factory=dict)
    items: list[FormItem] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # item code -> answer as given
    peers: list[str] = field(default_factory=list)
    peer_fields: int = 0  # 0: this respondent names no peers
    peer_minimum: int = 0
    likert_max: int = 5
    errors: dict[str, Problem] = field(default_factory=dict)  # form field -> what is wrong
    expires_on: date | None = None
    sent_peers: list[str] = field(default_factory=list)  # outbox keys of peers' invitations made by this answer


class Questionnaires:
    def __init__(self, services: Services):
        self.services = services

    # ----------------------------------------------------------------------------------------------
    def open(self, token: str) -> Page:
        """The page of this link; the first opening is recorded (the operator sees who opened)."""
        with self.services.unit_of_work() as session:
            page = self._page(session, token)
            if page.kind == "form":
                invitations.mark_opened(session, page.invitation.id, _now())
        return page

    def save_draft(self, token: str, form: Mapping[str, Sequence[str]]) -> Page:
        """Keep what was filled in so far (nothing is checked yet); a used or expired link changes nothing."""
        with self.services.unit_of_work() as session:
            page = self._page(session, token)
            if page.kind != "form":
                return page
            page.values, page.peers = field_values(form, page.items), _peers(form, page.peer_fields)
            invitations.save_draft(session, page.invitation.id, {"answers": page.values, "peers": page.peers})
        return page

    def submit(self, token: str, form: Mapping[str, Sequence[str]]) -> Page:
        """Check the answers with the answers gate and store them once; else the page with what is wrong.

        Of two submissions of one link (a double click, two tabs, a replay), exactly one is stored.
        """
        settings = self.services.settings
        today = today_in(settings.timezone)
        with self.services.unit_of_work() as session:
            page = self._page(session, token)
            if page.kind != "form":
                return page
            inv = page.invitation
            page.values, page.peers = field_values(form, page.items), _peers(form, page.peer_fields)
            unasked = unasked_answers(form, page.items)
            rows = answer_rows(
                page.values, page.items, inv.alumnus_nip, inv.role, inv.wave, inv.respondent_key, unasked
            )
            ref = cohort_ref(session, inv.cohort_id)
            instrument, instrument_id = wave_instrument(session, inv.cohort_id, inv.wave, self._current())
            ctx = response_context(session, ref)
            with _GATE:
                gated = gate_responses(rows, instrument, ctx, today)
            page.errors = _errors(gated.quarantined, page.items)
            emails: list[str] = []
            if page.peer_fields:
                emails, peer_problems = peer_addresses(form, page.peer_minimum, page.peer_fields, _own_email(inv))
                page.errors.update(peer_problems)
            if page.errors:
                invitations.save_draft(session, inv.id, {"answers": page.values, "peers": page.peers})
                return page
            if not invitations.claim_answered(session, inv.id, _now()):
                return Page("answered", inv, page.context)
            store_online_answers(session, inv.cohort_id, gated.accepted, instrument_id)
            if emails:
                made = invitations.invite(
                    session,
                    inv.cohort_id,
                    inv.wave,
                    invitations.peer_respondents(inv.alumnus_nip, emails),
                    expiry(today, ref.template.evaluation.link_valid_days),
                    lambda nonce: token_sha256(token_for(settings.secret(), nonce)),
                    invited_by_id=inv.id,
                )
                messages = invitation_messages(made, ref.label, inv.wave, settings.notify_channels)
                notifications.plan(session, messages)
                page.sent_peers = [message_key(i) for i in made]
        page.kind = "answered"
        return page

    # ----------------------------------------------------------------------------------------------
    def _current(self) -> Instrument:
        settings = self.services.settings
        return resolve_instrument(settings.instrument, settings.template_dir)

    def _page(self, session, token: str) -> Page:  # noqa: ANN001
        if not _TOKEN.fullmatch(token or ""):
            return Page("unknown")
        inv = invitations.find(session, token_sha256(token))
        if inv is None:
            return Page("unknown")
        context = invitations.page_context(session, inv)
        if inv.answered or invitations.answered_elsewhere(session, inv):
            return Page("answered", inv, context)
        if today_in(self.services.settings.timezone) > inv.expires_on:
            return Page("expired", inv, context, expires_on=inv.expires_on)
        ref = cohort_ref(session, inv.cohort_id)
        instrument, _ = wave_instrument(session, inv.cohort_id, inv.wave, self._current())
        evaluation = ref.template.evaluation
        names_peers = inv.role == "alumni" and inv.wave != COURSE_WAVE
        draft = inv.draft or {}
        return Page(
            "form",
            inv,
            context,
            items=form_items(instrument, inv.role, inv.wave),
            values=dict(draft.get("answers") or {}),
            peers=list(draft.get("peers") or []),
            peer_fields=evaluation.peer_min_group + PEERS_EXTRA if names_peers else 0,
            peer_minimum=evaluation.peer_min_group if names_peers else 0,
            likert_max=evaluation.likert_max,
            expires_on=inv.expires_on,
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _peers(form: Mapping[str, Sequence[str]], count: int) -> list[str]:
    return [next(iter(form.get(f"rekan_{n}", ())), "").strip() for n in range(1, count + 1)]


def _own_email(inv: Invitation) -> str | None:
    return inv.email if inv.role == "alumni" else None


def _errors(quarantined, items: Sequence[FormItem]) -> dict[str, Problem]:  # noqa: ANN001
    """The first problem of each refused answer, by the form field it belongs to (rows after the form's
    questions are answers to questions it does not ask)."""
    by_position = {e.position: e.field for e in items}
    out: dict[str, Problem] = {}
    for position, problems in zip(quarantined["row_number"], quarantined["problems"], strict=True):
        name = by_position.get(int(position), GENERAL)
        if problems and name not in out:
            out[name] = problems[0]
    return out
