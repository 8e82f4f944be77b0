"""Examiners' score sheets for a cohort: two assessors per component, realistic decimal scores."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from schemas.template import Assessment


@dataclass(frozen=True)
class SynthScores:
    frame: pd.DataFrame  # NIP, KOMPONEN, NILAI, PENILAI (Indonesian decimal comma)
    low: tuple[str, ...]  # NIPs given failing scores


def make_scores(
    nips: Sequence[str], assessors: Sequence[str], assessment: Assessment, seed: int, low: int = 1
) -> SynthScores:
    """Scores between 76 and 95 for most, between 55 and 68 for ``low`` participants."""
    rng = random.Random(seed)
    weak = tuple(rng.sample(list(nips), k=min(low, len(nips))))
    rows = []
    for nip in nips:
        lo, hi = (55, 68) if nip in weak else (76, 95)
        for component in assessment.components:
            for assessor in assessors[:2]:
                value = f"{rng.randint(lo, hi)},{rng.choice(['0', '25', '5', '75'])}"
                rows.append({"NIP": nip, "KOMPONEN": component.title, "NILAI": value, "PENILAI": assessor})
    return SynthScores(pd.DataFrame(rows), weak)
