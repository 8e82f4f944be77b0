"""Normalising examiners' score sheets: NIP, component, a decimal score (comma or dot), assessor."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np
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


PART = "_part"  # normalise_scores_many: which of the given sheets a row of the concatenation came from


def normalise_scores(raw: pd.DataFrame, ctx: ScoreContext, today: date) -> pd.DataFrame:
    """Canonical component codes, Decimal scores and assessor keys, with problems per row."""
    return normalise_scores_many([raw], [ctx], [today]).drop(columns=[PART])


def normalise_scores_many(
    raws: Sequence[pd.DataFrame], contexts: Sequence[ScoreContext], todays: Sequence[date]
) -> pd.DataFrame:
    """Many cohorts' sheets normalised as ONE frame, each row against its own cohort's context.

    The rows come in the order given, with ``PART`` naming their sheet. One pass of vectorised
    pandas over the concatenation instead of one per sheet: per sheet, pandas' fixed costs were
    ~25 ms, most of the score gate at 3,334 cohorts (issue #17).
    """
    frame = pd.concat(raws, ignore_index=True) if len(raws) > 1 else raws[0].reset_index(drop=True)
    part = np.repeat(np.arange(len(raws)), [len(r) for r in raws])
    frame[PART] = part
    problems: list[list[Problem]] = [[] for _ in range(len(frame))]

    day = pd.Series([todays[i] for i in part], index=frame.index, dtype=object)
    nips = pd.Series(None, index=frame.index, dtype=object)
    for today in sorted(set(todays)):  # NIP rules depend on the day (age, TMT): one vectorised pass per day
        rows = day == today
        nips[rows], found = check_nips(frame.loc[rows, "nip"], today)
        for pos, items in zip(np.flatnonzero(rows.to_numpy()), found.tolist(), strict=True):
            problems[pos].extend(items)
    frame["nip"] = nips

    codes = {v: stage_code(v) for v in frame["component"].dropna().unique()}
    component = [
        None if _missing(v) else contexts[i].components.get(codes[v])
        for i, v in zip(part.tolist(), frame["component"].tolist(), strict=True)
    ]
    allowed = [", ".join(sorted(set(c.components.values()))) for c in contexts]
    for pos, (i, v, code) in enumerate(zip(part.tolist(), frame["component"].tolist(), component, strict=True)):
        if code is None and not _missing(v):
            problems[pos].append(Problem("value.not_allowed", "component", {"value": v, "allowed": allowed[i]}))
    frame["component"] = pd.Series(component, index=frame.index, dtype=object)

    scores = [
        _score(text, contexts[i], pos, problems)
        for pos, (i, text) in enumerate(zip(part.tolist(), frame["score"].tolist(), strict=True))
    ]
    frame["score"] = pd.Series(scores, index=frame.index, dtype=object)
    frame["score_ok"] = [s is not None for s in scores]

    given = frame["assessor"].tolist()
    assessor = [None if _missing(v) else _assessor(v, contexts[i]) for i, v in zip(part.tolist(), given, strict=True)]
    frame["assessor"] = pd.Series(assessor, index=frame.index, dtype=object)
    frame["assessor_known"] = frame["assessor"].notna() | pd.Series(given, index=frame.index).isna()
    for pos in (~frame["assessor_known"]).to_numpy().nonzero()[0]:
        problems[pos].append(Problem("assessor.unknown", "assessor", {"value": given[pos]}))
    if "quarantine_id" not in frame:
        frame["quarantine_id"] = None

    complete = frame[list(KEY)].notna().all(axis=1)
    key = frame[PART].astype(str) + "|" + key_of(frame, KEY)  # a key repeats only within its own sheet
    frame["duplicate_of_row"] = first_row_of_duplicates(key.where(complete), frame["row_number"])
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


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
