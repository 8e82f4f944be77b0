"""The evidence gate: normalise against the cohort, run the kind's suite, split rows."""

from __future__ import annotations

from datetime import date

import pandas as pd

from diklat.domain.evaluation import ResponseContext, normalise_responses
from diklat.domain.evidence import KEYS, EvidenceContext, key_of, normalise_evidence
from diklat.domain.scores import KEY as SCORE_KEY
from diklat.domain.scores import ScoreContext, normalise_scores
from diklat.gate.gx import run_checks
from diklat.gate.roster import Gated, apply_failures, split
from schemas.files import ATTENDANCE_STATUS, GUIDANCE_KIND, OUTCOME
from schemas.instrument import Instrument
from schemas.suites import evidence_checks, response_checks, score_checks

VOCABULARY = {"attendance": ATTENDANCE_STATUS, "guidance": GUIDANCE_KIND, "deliverables": OUTCOME}


def gate_evidence(kind: str, raw: pd.DataFrame, ctx: EvidenceContext, today: date) -> Gated:
    """Every row accepted or quarantined with all its reasons (issue #3 evidence rules)."""
    frame = normalise_evidence(kind, raw, ctx, today, VOCABULARY[kind])
    frame["problems"] = apply_failures(frame, run_checks(kind, frame, evidence_checks(kind, ctx)))
    subject = key_of(frame, KEYS[kind])
    return split(frame, raw, kind, subject)


def gate_scores(raw: pd.DataFrame, ctx: ScoreContext, today: date) -> Gated:
    """Score sheets through their suite; every row accepted or quarantined with its reasons."""
    frame = normalise_scores(raw, ctx, today)
    frame["problems"] = apply_failures(frame, run_checks("scores", frame, score_checks(ctx)))
    return split(frame, raw, "scores", key_of(frame, SCORE_KEY))


RESPONSE_KEY = ("alumnus_nip", "wave", "role", "respondent_key", "item")


def gate_responses(raw: pd.DataFrame, instrument: Instrument, ctx: ResponseContext, today: date) -> Gated:
    """Survey answers through their suite (issue #5)."""
    frame = normalise_responses(raw, instrument, ctx, today)
    frame["nip"] = frame["alumnus_nip"]
    frame["problems"] = apply_failures(frame, run_checks("responses", frame, response_checks(ctx)))
    return split(frame, raw, "responses", key_of(frame, RESPONSE_KEY))


def gate_personnel(raw: pd.DataFrame, today: date) -> Gated:
    """A whole personnel roster (thousands to millions of rows) through one validation run."""
    from diklat.domain.personnel import normalise_personnel
    from schemas.planning import POSITION_TYPES, TRAINED_VALUES
    from schemas.suites import personnel_checks

    frame = normalise_personnel(raw, today, POSITION_TYPES, TRAINED_VALUES)
    frame["problems"] = apply_failures(frame, run_checks("personnel", frame, personnel_checks()))
    subject = frame["nip"].where(frame["nip"].notna(), "row:" + frame["row_number"].astype(str))
    return split(frame, raw, "personnel", subject)
