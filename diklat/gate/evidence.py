"""The evidence gate: normalise against the cohort, run the kind's suite, split rows."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

import numpy as np
import pandas as pd

from diklat.domain.evaluation import ResponseContext, normalise_responses
from diklat.domain.evidence import KEYS, EvidenceContext, key_of, normalise_evidence
from diklat.domain.gated import Gated
from diklat.domain.scores import KEY as SCORE_KEY
from diklat.domain.scores import PART, ScoreContext, normalise_scores_many
from diklat.gate.gx import INDEX, Check, run_checks
from diklat.gate.limits import length_checks
from diklat.gate.roster import apply_failures, split, split_part
from diklat.gate.suites import evidence_checks, response_checks, score_checks
from schemas.files import ATTENDANCE_STATUS, GUIDANCE_KIND, OUTCOME
from schemas.instrument import Instrument

K = TypeVar("K", bound=Hashable)
IS_PARTICIPANT = "is_participant"  # per row: the NIP is a participant of the cohort whose sheet it is in
VOCABULARY = {"attendance": ATTENDANCE_STATUS, "guidance": GUIDANCE_KIND, "deliverables": OUTCOME}


def gate_evidence(kind: str, raw: pd.DataFrame, ctx: EvidenceContext, today: date) -> Gated:
    """Every row accepted or quarantined with all its reasons (issue #3 evidence rules)."""
    frame = normalise_evidence(kind, raw, ctx, today, VOCABULARY[kind])
    checks = evidence_checks(kind, ctx) + length_checks(kind, frame.columns)
    frame["problems"] = apply_failures(frame, run_checks(kind, frame, checks))
    subject = key_of(frame, KEYS[kind])
    return split(frame, raw, kind, subject)


def gate_scores(raw: pd.DataFrame, ctx: ScoreContext, today: date) -> Gated:
    """Score sheets through their suite; every row accepted or quarantined with its reasons."""
    return gate_scores_many({0: raw}, {0: ctx}, today)[0]


def gate_scores_many(
    frames: Mapping[K, pd.DataFrame], contexts: Mapping[K, ScoreContext], today: date | Mapping[K, date]
) -> dict[K, Gated]:
    """The score sheets of many cohorts through ONE Great Expectations run (its fixed cost is ~40 ms a run).

    Each sheet is normalised against its own cohort (components and assessors of that cohort; ``today``
    may differ per cohort, as the assessment date does), and the per-cohort participant rule becomes
    a per-row column (``is_participant``) so one suite checks the whole concatenation. GX reports
    failing rows by an index column, so the concatenation gets a unique one for the run; every
    problem then points at the row of the operator's own file again.

    Sheets come as a mapping, not pre-concatenated: files differ in their extra and optional columns,
    and a quarantined row must keep exactly the raw text its own file had.
    """
    if not frames:
        return {}
    keys = list(frames)
    joint = normalise_scores_many(
        [frames[k] for k in keys],
        [contexts[k] for k in keys],
        [today[k] if isinstance(today, Mapping) else today for k in keys],
    )
    part = joint[PART].to_numpy()
    participant = [
        None if nip is None else nip in contexts[keys[i]].participants  # no NIP: nip.missing says it
        for i, nip in zip(part.tolist(), joint["nip"].tolist(), strict=True)
    ]
    joint[IS_PARTICIPANT] = pd.Series(participant, index=joint.index, dtype=object)
    file_rows = joint[INDEX].to_numpy()
    joint[INDEX] = range(1, len(joint) + 1)
    checks = _joint_score_checks() + length_checks("scores", joint.columns)
    joint["problems"] = apply_failures(joint, run_checks("scores", joint, checks)).to_numpy()
    joint[INDEX] = file_rows
    # The subject (the row's natural key) is kept with quarantined rows only: worked out for those.
    bad = np.fromiter(map(len, joint["problems"].to_numpy()), dtype=bool, count=len(joint))
    subject = pd.Series(None, index=joint.index, dtype=object)
    if bad.any():
        subject[bad] = key_of(joint[bad], SCORE_KEY).astype(object)
    added = {"score_ok", "assessor_known", "quarantine_id", "duplicate_of_row", "problems"}
    out, bounds = {}, np.searchsorted(part, np.arange(len(keys) + 1))
    for i, key in enumerate(keys):
        rows = slice(int(bounds[i]), int(bounds[i + 1]))
        columns = [c for c in joint.columns if c in frames[key].columns or c in added]
        out[key] = split_part(joint, rows, columns, frames[key], "scores", subject, bad)
    return out


def _joint_score_checks() -> list[Check]:
    """The score-sheet suite with its participant rule read from the per-row column (one suite, many cohorts)."""
    import great_expectations.expectations as gxe  # after diklat.gate.gx has switched GX analytics off

    nobody = ScoreContext(frozenset(), {}, {}, Decimal(0), Decimal(0))  # only the participant rule reads it
    participant = Check(
        gxe.ExpectColumnValuesToBeInSet(column=IS_PARTICIPANT, value_set=[True]), "evidence.not_participant", "nip"
    )
    checks = score_checks(nobody)
    if sum(c.code == participant.code for c in checks) != 1:
        raise AssertionError("the score suite changed: revisit how the participant rule is joined across cohorts")
    return [participant if c.code == participant.code else c for c in checks]


RESPONSE_KEY = ("alumnus_nip", "wave", "role", "respondent_key", "item")


def gate_responses(raw: pd.DataFrame, instrument: Instrument, ctx: ResponseContext, today: date) -> Gated:
    """Survey answers through their suite (issue #5)."""
    frame = normalise_responses(raw, instrument, ctx, today)
    frame["nip"] = frame["alumnus_nip"]
    checks = response_checks(ctx) + length_checks("responses", frame.columns)
    # A survey form export gives several answers per form row: GX reports failing rows by a unique
    # index, so the gate numbers the answers, and every problem then points at its form row again.
    file_rows = frame[INDEX].to_numpy()
    frame[INDEX] = range(1, len(frame) + 1)
    problems = apply_failures(frame, run_checks("responses", frame, checks))
    frame[INDEX] = file_rows
    frame["problems"] = problems
    return split(frame, raw, "responses", key_of(frame, RESPONSE_KEY))


def gate_personnel(raw: pd.DataFrame, today: date) -> Gated:
    """A whole personnel roster (thousands to millions of rows) through one validation run."""
    from diklat.domain.personnel import normalise_personnel
    from diklat.gate.suites import personnel_checks
    from schemas.planning import POSITION_TYPES, TRAINED_VALUES

    frame = normalise_personnel(raw, today, POSITION_TYPES, TRAINED_VALUES)
    frame["problems"] = apply_failures(frame, run_checks("personnel", frame, personnel_checks()))
    subject = frame["nip"].where(frame["nip"].notna(), "row:" + frame["row_number"].astype(str))
    return split(frame, raw, "personnel", subject)
