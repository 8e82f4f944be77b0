"""Normalising examiners' score sheets: NIP, component, a decimal score (comma or dot), assessor."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import pandas as pd

from diklat.domain.evidence import key_of, stage_code
from diklat.domain.nip import check_nips, normalize_nip
from diklat.domain.problems import Problem
from diklat.domain.roster import first_row_of_duplicates

KEY = ("nip", "component", "assessor")


@dataclass(frozen=True)
class ScoreContext:
    participants: frozenset[str]
    components: Mapping[str, str]  # accepted spelling (code or title, as stage_code) -> component code
    assessors: Mapping[str, str]  # NIP or name (casefolded) -> assessor key (the NIP)
    score_min: Decimal
    score_max: Decimal
    places: int = 3  # decimal places the database keeps: more would be rounded silently, so they are refused


def parse_score(text: object) -> Decimal:
    """`85,5`, `85.5`, `85` -> Decimal; a thousands separator is not expected on a 0-100 scale."""
    cleaned = re.sub(r"\s", "", str(text)).replace(",", ".")
    if cleaned.count(".") > 1:
        raise InvalidOperation(cleaned)
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation(cleaned)
    return value


def normalise_scores(raw: pd.DataFrame, ctx: ScoreContext, today: date) -> pd.DataFrame:
    """Canonical component codes, Decimal scores and assessor keys, with problems per row."""
    frame = raw.copy()
    problems: list[list[Problem]] = [[] for _ in range(len(frame))]
    frame["nip"], nip_problems = check_nips(frame["nip"], today)
    for pos, items in enumerate(nip_problems.tolist()):
        problems[pos].extend(items)

    component = frame["component"].map(lambda v: ctx.components.get(stage_code(v)), na_action="ignore")
    allowed = ", ".join(sorted(set(ctx.components.values())))
    for pos in (frame["component"].notna() & component.isna()).to_numpy().nonzero()[0]:
        problems[pos].append(
            Problem("value.not_allowed", "component", {"value": frame["component"].iloc[pos], "allowed": allowed})
        )
    frame["component"] = component.astype(object).where(component.notna(), None)

    scores: list[Decimal | None] = []
    for pos, text in enumerate(frame["score"].tolist()):
        scores.append(_score(text, ctx, pos, problems))
    frame["score"] = pd.Series(scores, index=frame.index, dtype=object)
    frame["score_ok"] = [s is not None for s in scores]

    frame["assessor"] = frame["assessor"].map(lambda v: _assessor(v, ctx), na_action="ignore")
    frame["assessor_known"] = frame["assessor"].notna() | raw["assessor"].isna()
    for pos in (~frame["assessor_known"]).to_numpy().nonzero()[0]:
        problems[pos].append(Problem("assessor.unknown", "assessor", {"value": raw["assessor"].iloc[pos]}))
    if "quarantine_id" not in frame:
        frame["quarantine_id"] = None

    complete = frame[list(KEY)].notna().all(axis=1)
    frame["duplicate_of_row"] = first_row_of_duplicates(key_of(frame, KEY).where(complete), frame["row_number"])
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def _score(text: object, ctx: ScoreContext, pos: int, problems: list[list[Problem]]) -> Decimal | None:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        problems[pos].append(Problem("value.missing", "score"))
        return None
    try:
        value = parse_score(text)
    except InvalidOperation:
        problems[pos].append(Problem("score.invalid", "score", {"value": text}))
        return None
    if value.normalize().as_tuple().exponent < -ctx.places:  # 85,5000 is 85.5; 85,1234 cannot be kept exactly
        problems[pos].append(Problem("score.too_precise", "score", {"value": text, "places": ctx.places}))
        return None
    if not ctx.score_min <= value <= ctx.score_max:
        problems[pos].append(
            Problem(
                "score.out_of_range", "score", {"value": text, "min": str(ctx.score_min), "max": str(ctx.score_max)}
            )
        )
        return None
    return value


def _assessor(value: object, ctx: ScoreContext) -> str | None:
    """An assessor named by NIP (any spacing) or by name (any case)."""
    text = str(value).strip()
    return ctx.assessors.get(normalize_nip(text) or "") or ctx.assessors.get(text.casefold())


def scores_by_person(scores: pd.DataFrame) -> dict[int, dict[str, list[Decimal]]]:
    """enrolment id -> component -> assessor scores, in one pass over the recorded scores (frame order kept)."""
    out: dict[int, dict[str, list[Decimal]]] = {}
    for enrolment_id, component, score in zip(
        scores["enrolment_id"].tolist(), scores["component"].tolist(), scores["score"].tolist(), strict=True
    ):
        out.setdefault(enrolment_id, {}).setdefault(component, []).append(Decimal(score))
    return out
