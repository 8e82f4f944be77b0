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

    # NIP rules depend on the day (age, TMT): one vectorised pass per distinct day, over the distinct
    # values of that day's rows only (a participant's NIP is on every one of their ~8 score rows).
    days = sorted(set(todays))
    index_of = {d: k for k, d in enumerate(days)}
    day_of_part = np.array([index_of[d] for d in todays])[part]
    order = np.argsort(day_of_part, kind="stable")
    bounds = np.searchsorted(day_of_part[order], np.arange(len(days) + 1))
    given = frame["nip"].to_numpy(dtype=object)
    nips = np.full(len(frame), None, dtype=object)
    for k, today in enumerate(days):
        rows = order[bounds[k] : bounds[k + 1]]
        codes, distinct = pd.factorize(pd.Series(given[rows], dtype=object), use_na_sentinel=False)
        clean, found = check_nips(pd.Series(distinct, dtype=object), today)
        nips[rows] = clean.to_numpy(dtype=object)[codes]
        found = found.tolist()
        for pos, code in zip(rows.tolist(), codes.tolist(), strict=True):
            if found[code]:
                problems[pos].extend(found[code])
    frame["nip"] = pd.Series(nips, index=frame.index, dtype=object)

    # Each rule below is worked out once per distinct (cohort, text) or (scale, text), not per row: a
    # national sheet has 800,000 rows but a few hundred distinct scores and a few assessors a cohort.
    parts = part.tolist()
    codes = {v: stage_code(v) for v in frame["component"].dropna().unique()}
    allowed = [", ".join(sorted(set(c.components.values()))) for c in contexts]
    component, known = [], {}
    for pos, (i, v) in enumerate(zip(parts, frame["component"].tolist(), strict=True)):
        if _missing(v):
            component.append(None)
            continue
        if (i, v) not in known:
            known[i, v] = contexts[i].components.get(codes[v])
        code = known[i, v]
        if code is None:
            problems[pos].append(Problem("value.not_allowed", "component", {"value": v, "allowed": allowed[i]}))
        component.append(code)
    frame["component"] = pd.Series(component, index=frame.index, dtype=object)

    scores, parsed = [], {}
    for pos, (i, text) in enumerate(zip(parts, frame["score"].tolist(), strict=True)):
        ctx = contexts[i]
        key = (ctx.places, ctx.score_min, ctx.score_max, text)
        if key not in parsed:  # a blank (NaN) cell may miss and be parsed again: harmless and cheap
            parsed[key] = _score(text, ctx)
        value, problem = parsed[key]
        if problem is not None:
            problems[pos].append(problem)
        scores.append(value)
    frame["score"] = pd.Series(scores, index=frame.index, dtype=object)
    frame["score_ok"] = [s is not None for s in scores]

    given = frame["assessor"].tolist()
    assessor, named = [], {}
    for i, v in zip(parts, given, strict=True):
        if _missing(v):
            assessor.append(None)
            continue
        if (i, v) not in named:
            named[i, v] = _assessor(v, contexts[i])
        assessor.append(named[i, v])
    frame["assessor"] = pd.Series(assessor, index=frame.index, dtype=object)
    frame["assessor_known"] = frame["assessor"].notna() | pd.Series(given, index=frame.index).isna()
    for pos in (~frame["assessor_known"]).to_numpy().nonzero()[0]:
        problems[pos].append(Problem("assessor.unknown", "assessor", {"value": given[pos]}))
    if "quarantine_id" not in frame:
        frame["quarantine_id"] = None

    complete = frame[list(KEY)].notna().all(axis=1)
    key = key_of(frame, (PART, *KEY))  # a key repeats only within its own sheet
    frame["duplicate_of_row"] = first_row_of_duplicates(key.where(complete), frame["row_number"])
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _score(text: object, ctx: ScoreContext) -> tuple[Decimal | None, Problem | None]:
    """The score a cell holds, or the problem with it (only the scale and places of ``ctx`` matter)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None, Problem("value.missing", "score")
    try:
        value = parse_score(text)
    except InvalidOperation:
        return None, Problem("score.invalid", "score", {"value": text})
    if value.normalize().as_tuple().exponent < -ctx.places:  # 85,5000 is 85.5; 85,1234 cannot be kept exactly
        return None, Problem("score.too_precise", "score", {"value": text, "places": ctx.places})
    if not ctx.score_min <= value <= ctx.score_max:
        limits = {"value": text, "min": str(ctx.score_min), "max": str(ctx.score_max)}
        return None, Problem("score.out_of_range", "score", limits)
    return value, None


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
        try:
            person = out[enrolment_id]
        except KeyError:
            person = out[enrolment_id] = {}
        # Stored scores arrive as Decimals already: no copy of each of a national 800,000
        value = score if type(score) is Decimal else Decimal(score)
        try:
            person[component].append(value)
        except KeyError:
            person[component] = [value]
    return out
