"""A cohort's results: every participant decided by the graduation rules, then ranked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from diklat.domain.grading import LULUS, LULUS_TERTUNDA, TIDAK_LULUS, Standing, decide, rank
from schemas.template import Assessment

PASSED = (LULUS, LULUS_TERTUNDA)  # a certificate number is reserved for both; only LULUS is issued
RANKED = (*PASSED, TIDAK_LULUS)  # who completed the assessment; the withdrawn and incomplete are not ranked


@dataclass(frozen=True)
class Result:
    enrolment_id: int
    status: str
    final_score: Decimal | None
    qualification: str | None
    rank: int | None
    explanation: dict[str, Any]


def cohort_results(
    seats: Sequence[int],
    scores: Mapping[int, Mapping[str, Sequence[Decimal]]],
    standing: Mapping[int, Standing],
    assessment: Assessment,
) -> list[Result]:
    """Every participant of one cohort (enrolment ids in seat order), decided and ranked, in seat order."""
    decisions = {e: decide(scores.get(e, {}), standing[e], assessment) for e in seats}
    ranks = rank({e: d.final_score if d.status in RANKED else None for e, d in decisions.items()})
    return [
        Result(e, d.status, d.final_score, d.qualification, ranks.get(e), d.explanation) for e, d in decisions.items()
    ]


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many participants have each status (in order of first appearance)."""
    out: dict[str, int] = {}
    for status in statuses:
        out[status] = out.get(status, 0) + 1
    return out
