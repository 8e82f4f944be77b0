"""Evaluation waves: the order they are shown in, the state of one that fell due, and whom it reminds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from diklat.domain.values import is_missing
from schemas.instrument import COURSE_WAVE
from schemas.template import Evaluation


def wave_order(waves: Iterable[str], evaluation: Evaluation | None = None) -> list[str]:
    """The course first, then the template's waves in its order, then any other wave by name."""
    order = [w.code for w in evaluation.waves] if evaluation else []

    def rank(wave: str) -> tuple[int, int, str]:
        if wave == COURSE_WAVE:
            return (0, 0, wave)
        return (1, order.index(wave) if wave in order else len(order), wave)

    return sorted(set(waves), key=rank)


@dataclass(frozen=True)
class WaveStatus:
    """One wave that fell due for a cohort: respondents expected, still missing, reminders planned today."""

    cohort_id: int
    cohort: str
    wave: str
    due: str  # ISO date
    expected: int
    missing: int
    reminders: int


def reminder_recipients(missing: pd.DataFrame) -> dict[str, list[str]]:
    """NIP -> roles reminded: alumni and superiors for themselves; for missing peers, the alumnus.

    ``missing``: alumnus_nip, role, respondent_nip of the respondents who have not answered. diklat
    cannot know whom an alumnus asked as peers, so the alumnus is asked to pass the questionnaire on.
    """
    recipients: dict[str, list[str]] = {}
    for row in missing.itertuples(index=False):
        nip = row.alumnus_nip if row.role in ("alumni", "rekan") else row.respondent_nip
        if not is_missing(nip):  # an atasan row without a recorded superior reminds nobody
            recipients.setdefault(nip, []).append(row.role)
    return recipients
