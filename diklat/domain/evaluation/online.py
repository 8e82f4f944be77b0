"""The questionnaire as a web form: which items a respondent is asked, and their answers as answer rows.

An online answer must become exactly what an uploaded answers file makes, so the form's fields are
turned into rows of the long answers format (``schemas.files.RESPONSES``) and go through the same
gate (``diklat.gate.evidence.gate_responses``): the same rules, the same problem codes, the same
stored records. Row numbers are the items' positions on the form, so a problem points at its question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from diklat.domain.problems import Problem
from diklat.domain.roster import EMAIL
from schemas.instrument import COURSE_WAVE, MULTI_SEPARATOR, Instrument, Item, Level

FIELD_PREFIX = "q_"
PEER_FIELD = "rekan_{n}"
NO_CHOICE = "-"  # a multi item answered "none of these" (answers.NO_CHOICE reads it)
_EMAIL = re.compile(EMAIL)


@dataclass(frozen=True)
class FormItem:
    """One question on the form, in the order the instrument lists it."""

    position: int  # 1-based: the "row" a problem about this question points at
    level: Level
    item: Item

    @property
    def field(self) -> str:
        return FIELD_PREFIX + self.item.code


def form_items(instrument: Instrument, role: str, wave: str) -> list[FormItem]:
    """The items asked of ``role`` in ``wave``: course levels during the course, the others after it."""
    out: list[FormItem] = []
    for level in instrument.levels:
        if role not in level.roles or level.during_course != (wave == COURSE_WAVE):
            continue
        for item in level.items:
            out.append(FormItem(len(out) + 1, level, item))
    return out


def field_values(form: Mapping[str, Sequence[str]], items: Sequence[FormItem]) -> dict[str, str]:
    """What the respondent gave per item (multi items joined with ``;``), empty strings left out.

    ``form``: field name -> every value sent under it (checkboxes send one value per box ticked).
    """
    out: dict[str, str] = {}
    for entry in items:
        given = [str(v).strip() for v in form.get(entry.field, ()) if str(v).strip()]
        if not given:
            continue
        if entry.item.kind == "multi":
            out[entry.item.code] = NO_CHOICE if NO_CHOICE in given else MULTI_SEPARATOR.join(given)
        else:
            out[entry.item.code] = given[-1]
    return out


def unasked_answers(form: Mapping[str, Sequence[str]], items: Sequence[FormItem]) -> dict[str, str]:
    """Answers sent for questions this form does not ask (a page changed by hand): the gate must judge them."""
    asked = {e.field for e in items}
    return {
        name[len(FIELD_PREFIX) :]: str(values[-1])
        for name, values in form.items()
        if name.startswith(FIELD_PREFIX) and name not in asked and values
    }


def answer_rows(
    values: Mapping[str, str],
    items: Sequence[FormItem],
    alumnus_nip: str,
    role: str,
    wave: str,
    respondent: str,
    unasked: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One answers-file row per question (an unanswered one too: the gate reports it as missing), then one
    per answer to a question the form does not ask, numbered after the form's last question."""
    codes = [e.item.code for e in items] + sorted(unasked or {})
    given = {**values, **(unasked or {})}
    return pd.DataFrame(
        {
            "row_number": range(1, len(codes) + 1),
            "nip": alumnus_nip,
            "role": role,
            "respondent": respondent,
            "wave": wave,
            "item": codes,
            "answer": [given.get(code) for code in codes],
        }
    )


def peer_addresses(
    form: Mapping[str, Sequence[str]], minimum: int, maximum: int, own: str | None
) -> tuple[list[str], dict[str, Problem]]:
    """The peers' e-mail addresses the alumnus gave (fields rekan_1..rekan_<maximum>), with problems by field.

    At least ``minimum`` distinct valid addresses (the template's smallest peer group that is ever
    shown), none of them the alumnus's own.
    """
    found: list[str] = []
    problems: dict[str, Problem] = {}
    own_key = (own or "").strip().casefold()
    for n in range(1, maximum + 1):
        name = PEER_FIELD.format(n=n)
        text = next((str(v).strip() for v in reversed(form.get(name, ())) if str(v).strip()), "")
        if not text:
            continue
        if not _EMAIL.fullmatch(text):
            problems[name] = Problem("email.invalid", "email", {"value": text})
        elif text.casefold() == own_key:
            problems[name] = Problem("evaluation.self_as_peer", "respondent")
        elif text.casefold() in {a.casefold() for a in found}:
            problems[name] = Problem("evaluation.peer_repeated", "email", {"value": text})
        else:
            found.append(text)
    if len(found) < minimum and not problems:
        problems[PEER_FIELD.format(n=len(found) + 1)] = Problem(
            "evaluation.peers_too_few", "email", {"minimum": minimum, "given": len(found)}
        )
    return found, problems
