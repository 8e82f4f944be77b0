"""One answer of the answers file, read against its item (likert, score, choice, multi)."""

from __future__ import annotations

import re
from decimal import InvalidOperation

from diklat.domain.evidence import stage_code
from diklat.domain.problems import Problem
from diklat.domain.scores import parse_score
from diklat.domain.values import is_missing
from schemas.instrument import MULTI_SEPARATOR, SCORE_MAX, SCORE_MIN, Item

NO_CHOICE = frozenset({"", "tidak_ada", "none"})  # a multi answer naming none of the choices ("-")

# A five-point Likert answer in the words survey forms show (Google Forms, Microsoft Forms), as
# stage_code; a 4-point or 7-point scale has other words, so there only numbers are taken.
LIKERT_WORDS_5 = {
    "sangat_setuju": 5,
    "setuju": 4,
    "netral": 3,
    "ragu_ragu": 3,
    "cukup_setuju": 3,
    "tidak_setuju": 2,
    "sangat_tidak_setuju": 1,
    "strongly_agree": 5,
    "agree": 4,
    "neutral": 3,
    "disagree": 2,
    "strongly_disagree": 1,
}


def parse_answer(item: Item, text: object, likert_max: int) -> tuple[str | None, Problem | None]:
    """One answer as stored text (likert ``"4"``, score ``"85.5"``, choice code, multi ``"a;b"``) or a problem.

    A multi answer lists codes separated by ``;`` (or ``,``); ``-`` or "tidak ada" names none (``""``).
    """
    if is_missing(text):
        return None, Problem("value.missing", "answer")
    shown = str(text).strip()
    if item.kind == "likert" and likert_max == 5:
        word = stage_code(re.sub(r"^\d+\s*[-.)]?\s*", "", shown))  # "5 - Sangat Setuju" as some forms label them
        if word in LIKERT_WORDS_5:
            return str(LIKERT_WORDS_5[word]), None
    if item.kind in ("likert", "score"):
        low, high = (1, likert_max) if item.kind == "likert" else (SCORE_MIN, SCORE_MAX)
        try:
            value = parse_score(shown)
        except InvalidOperation:
            return None, Problem("score.invalid", "answer", {"value": shown})
        if item.kind == "likert" and value != value.to_integral_value():
            return None, Problem("score.invalid", "answer", {"value": shown})
        if not low <= value <= high:
            return None, Problem("score.out_of_range", "answer", {"value": shown, "min": str(low), "max": str(high)})
        return (str(int(value)) if item.kind == "likert" else format(value, "f")), None
    allowed = ", ".join(item.choices)
    if item.kind == "choice":
        code = stage_code(shown)
        if code not in item.choices:
            return None, Problem("value.not_allowed", "answer", {"value": shown, "allowed": allowed})
        return code, None
    if stage_code(shown) in NO_CHOICE:
        return "", None
    codes = {stage_code(part) for part in re.split(r"[;,]", shown)} - {""}
    unknown = sorted(codes - set(item.choices))
    if unknown:
        return None, Problem("value.not_allowed", "answer", {"value": ", ".join(unknown), "allowed": allowed})
    return MULTI_SEPARATOR.join(c for c in item.choices if c in codes), None
