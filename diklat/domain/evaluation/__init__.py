"""Post-training evaluation (PKP.md, "Post-training evaluation"): answers files and Kirkpatrick L1-L4 figures.

``normalise_responses`` reads the answers file (``schemas.files.RESPONSES``, one row per answer)
against the instrument and the cohort, collecting problems per row like the other normalisers.
``summarise`` turns accepted answers into response rates, per-alumnus figures, follow-ups and
cohort / programme figures.

Exact like ``diklat.domain.grading``: answers are ints or Decimals, every mean is a ``Fraction`` and
a reported figure is that exact value rounded once, half-up, to 2 places. Peers are anonymous: a
peer score is reported only when at least ``evaluation.peer_min_group`` peers answered for that
alumnus in that wave, and hidden peer answers count nowhere (not in the alumnus's overall
behaviour score, not in any cohort figure).

Modules: ``responses`` (normalising the file) with ``answers`` (one answer) and ``waves`` (their
order); ``summary`` (the figures) with ``figures`` (one alumnus, exact), ``rows`` (reported rows,
aggregates) and ``columns``.
"""

from __future__ import annotations

from diklat.domain.evaluation.answers import parse_answer
from diklat.domain.evaluation.columns import ALUMNUS_COLUMNS, COHORT_COLUMNS, RATE_COLUMNS
from diklat.domain.evaluation.figures import PLACES, REASON_AP_STOPPED, REASON_BEHAVIOUR
from diklat.domain.evaluation.responses import KEY, ResponseContext, normalise_responses, peer_key
from diklat.domain.evaluation.summary import EvaluationResult, summarise
from diklat.domain.evaluation.waves import WaveStatus, reminder_recipients

__all__ = [
    "ALUMNUS_COLUMNS",
    "COHORT_COLUMNS",
    "KEY",
    "PLACES",
    "RATE_COLUMNS",
    "REASON_AP_STOPPED",
    "REASON_BEHAVIOUR",
    "EvaluationResult",
    "ResponseContext",
    "WaveStatus",
    "normalise_responses",
    "parse_answer",
    "peer_key",
    "reminder_recipients",
    "summarise",
]
