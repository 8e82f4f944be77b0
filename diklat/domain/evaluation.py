"""Post-training evaluation (PKP.md, "Post-training evaluation"): answers files and Kirkpatrick L1-L4 figures.

``normalise_responses`` reads the answers file (``schemas.instrument.RESPONSES``, one row per answer)
against the instrument and the cohort, collecting problems per row like the other normalisers.
``summarise`` turns accepted answers into response rates, per-alumnus figures, follow-ups and
cohort / programme figures.

Exact like ``diklat.domain.grading``: answers are ints or Decimals, every mean is a ``Fraction`` and
a reported figure is that exact value rounded once, half-up, to 2 places. Peers are anonymous: a
peer score is reported only when at least ``evaluation.peer_min_group`` peers answered for that
alumnus in that wave, and hidden peer answers count nowhere (not in the alumnus's overall
behaviour score, not in any cohort figure).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import pandas as pd

from diklat.domain.evidence import key_of, stage_code
from diklat.domain.grading import round_half_up
from diklat.domain.nip import check_nip, check_nips, normalize_nip
from diklat.domain.problems import Problem
from diklat.domain.roster import first_row_of_duplicates
from diklat.domain.scores import parse_score
from schemas.instrument import (
    AP_STATUS,
    COURSE_WAVE,
    MULTI_SEPARATOR,
    OBSTACLES,
    POST_TEST,
    PRE_TEST,
    ROLES,
    SCORE_MAX,
    SCORE_MIN,
    Instrument,
    Item,
    Level,
)
from schemas.template import Evaluation

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
    "first_row_of_duplicates",
    "normalise_responses",
    "parse_answer",
    "summarise",
]

KEY = ("nip", "wave", "role", "respondent", "item")  # one answer per alumnus, wave, role, respondent and item
PLACES = 2  # reported means and rates: exact value rounded half-up once to 2 places
REASON_AP_STOPPED = "ap.stopped"  # the change action's status is not a sustained one
REASON_BEHAVIOUR = "behaviour.below_threshold"  # L3 overall below evaluation.behaviour_follow_up_below

# What operators write in PERAN / GELOMBANG, compared as stage_code (case, spaces and dashes ignored).
ROLE_ALIASES = {
    "alumni": "alumni",
    "alumnus": "alumni",
    "peserta": "alumni",
    "diri_sendiri": "alumni",
    "atasan": "atasan",
    "atasan_langsung": "atasan",
    "rekan": "rekan",
    "rekan_kerja": "rekan",
    "rekan_sejawat": "rekan",
    "sejawat": "rekan",
}
COURSE_ALIASES = frozenset({COURSE_WAVE, "pelatihan", "selama_pelatihan"})
NO_CHOICE = frozenset({"", "tidak_ada", "none"})  # a multi answer naming none of the choices ("-")

RATE_COLUMNS = ("cohort_id", "wave", "role", "expected", "answered", "rate")
ALUMNUS_COLUMNS = (
    "cohort_id",
    "wave",
    "alumnus_nip",
    "l1_score",
    "l2_pre",
    "l2_post",
    "l2_gain",
    "l3_self",
    "l3_atasan",
    "l3_peer",
    "peer_count",
    "peer_hidden",
    "l3_overall",
    "l4_impact",
    "ap_status",
    "sustained",
    "obstacles",
    "follow_up",
    "follow_up_reasons",
)
FIGURE_COLUMNS = (
    "alumni",
    "expected",
    "answered",
    "rate",
    *(f"rate_{role}" for role in ROLES),
    "l1_score",
    "l1_by_aspect",
    "l2_pre",
    "l2_post",
    "l2_gain",
    "l3_self",
    "l3_atasan",
    "l3_peer",
    "l3_overall",
    "l4_impact",
    "ap_answered",
    "sustained",
    "sustainability_rate",
    "obstacle_counts",
    "follow_up",
)
COUNT_COLUMNS = ("alumni", "expected", "answered", "ap_answered", "sustained", "follow_up")
COHORT_COLUMNS = ("cohort_id", "wave", *FIGURE_COLUMNS)
PROGRAMME_COLUMNS = ("wave", "cohorts", *FIGURE_COLUMNS)


@dataclass(frozen=True)
class ResponseContext:
    """What an answers file is checked against: the cohort's alumni and the waves it may answer."""

    alumni: frozenset[str]  # NIPs of the cohort's participants
    waves: frozenset[str]  # e.g. {"course", "3m", "6m"}: the template's wave codes, plus "course"
    superiors: Mapping[str, str] = field(default_factory=dict)  # alumnus NIP -> recorded superior NIP
    likert_max: int = 5  # template evaluation.likert_max


# --------------------------------------------------------------------------------------------------
# normalising the answers file


def normalise_responses(raw: pd.DataFrame, instrument: Instrument, ctx: ResponseContext, today: date) -> pd.DataFrame:
    """Canonical role, wave, item, respondent and answer for every row, with the problems found.

    Adds ``level``, ``alumnus_nip`` (= ``nip``) and ``respondent_key`` (= ``respondent``), the
    columns ``summarise`` reads, and ``duplicate_of_row``. The respondent of an alumni row is the
    alumnus (empty or their own NIP); of an atasan row a NIP (empty: the recorded superior); of a
    rekan row any identifier (a NIP in any spelling, or a code compared without case).
    """
    frame = raw.copy()
    for column in ("respondent", "quarantine_id"):
        if column not in frame:
            frame[column] = None
    problems: list[list[Problem]] = [[] for _ in range(len(frame))]

    frame["nip"], nip_problems = check_nips(frame["nip"], today)
    for pos, found in enumerate(nip_problems.tolist()):
        problems[pos].extend(found)

    items = instrument.item_levels()
    item_codes = {stage_code(code): code for code in items}
    wave_codes = {stage_code(w): w for w in ctx.waves}
    if COURSE_WAVE in ctx.waves:
        wave_codes.update(dict.fromkeys(COURSE_ALIASES, COURSE_WAVE))

    out: dict[str, list[Any]] = {c: [] for c in ("role", "wave", "item", "level", "respondent", "answer")}
    columns = ("nip", "role", "wave", "item", "respondent", "answer")
    for pos, (nip, role_text, wave_text, item_text, who, answer_text) in enumerate(
        zip(*(frame[c].tolist() for c in columns), strict=True)
    ):
        found = problems[pos]
        if nip is not None and nip not in ctx.alumni:
            found.append(Problem("evaluation.not_alumnus", "nip", {"value": raw["nip"].iloc[pos]}))
        role = _lookup(role_text, ROLE_ALIASES, "role", ", ".join(ROLES), found)
        wave = _lookup(wave_text, wave_codes, "wave", ", ".join(_wave_order(ctx.waves)), found)
        item = _lookup(item_text, item_codes, "item", None, found)
        level = items[item][0] if item else None
        if level is not None and role is not None and role not in level.roles:
            found.append(
                Problem(
                    "evaluation.item_not_for_role",
                    "item",
                    {"value": item, "role": role, "allowed": ", ".join(level.roles)},
                )
            )
        if level is not None and wave == COURSE_WAVE and not level.during_course:
            later = ", ".join(w for w in _wave_order(ctx.waves) if w != COURSE_WAVE)
            found.append(
                Problem(
                    "evaluation.wrong_wave",
                    "wave",
                    {"value": wave, "item": item, "level": level.level, "allowed": later},
                )
            )
        out["role"].append(role)
        out["wave"].append(wave)
        out["item"].append(item)
        out["level"].append(level.level if level else None)
        out["respondent"].append(_respondent(role, who, nip, ctx, today, found))
        answer = None
        if item is not None:
            answer, problem = parse_answer(items[item][1], answer_text, ctx.likert_max)
            if problem is not None:
                found.append(problem)
        out["answer"].append(answer)

    for column, values in out.items():
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    frame["alumnus_nip"] = frame["nip"]
    frame["respondent_key"] = frame["respondent"]

    complete = frame[list(KEY)].notna().all(axis=1)
    frame["duplicate_of_row"] = first_row_of_duplicates(key_of(frame, KEY).where(complete), frame["row_number"])
    for pos, first in enumerate(frame["duplicate_of_row"].tolist()):
        if first is not None:
            problems[pos].append(Problem("row.duplicate_key", "nip", {"first_row": int(first)}))
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def parse_answer(item: Item, text: object, likert_max: int) -> tuple[str | None, Problem | None]:
    """One answer as stored text (likert ``"4"``, score ``"85.5"``, choice code, multi ``"a;b"``) or a problem.

    A multi answer lists codes separated by ``;`` (or ``,``); ``-`` or "tidak ada" names none (``""``).
    """
    if _missing(text):
        return None, Problem("value.missing", "answer")
    shown = str(text).strip()
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


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _lookup(
    text: object, known: Mapping[str, str], column: str, allowed: str | None, found: list[Problem]
) -> str | None:
    if _missing(text):
        found.append(Problem("value.missing", column))
        return None
    value = known.get(stage_code(text))
    if value is None:
        listed = allowed if allowed is not None else ", ".join(sorted(set(known.values())))
        found.append(Problem("value.not_allowed", column, {"value": str(text).strip(), "allowed": listed}))
    return value


def _respondent(
    role: str | None, text: object, nip: str | None, ctx: ResponseContext, today: date, found: list[Problem]
) -> str | None:
    """The respondent's key: the alumnus's NIP (alumni), a superior's NIP (atasan), a peer identifier (rekan)."""
    if role == "alumni":
        if not _missing(text) and nip is not None and normalize_nip(text) != nip:
            found.append(Problem("evaluation.respondent_not_self", "respondent", {"value": str(text).strip()}))
            return None
        return nip
    if role == "atasan":
        if _missing(text):
            superior = ctx.superiors.get(nip) if nip else None
            if superior is None:
                found.append(Problem("value.missing", "respondent"))
            return superior
        superior, nip_problems = check_nip(text, today)
        found.extend(Problem(p.code, "respondent", p.params) for p in nip_problems)
        if superior is not None and superior == nip:
            found.append(Problem("superior.self", "respondent"))
            return None
        return superior
    if role == "rekan":
        if _missing(text):
            found.append(Problem("value.missing", "respondent"))
            return None
        peer = peer_key(text)
        if nip is not None and peer == nip:
            found.append(Problem("evaluation.self_as_peer", "respondent"))
            return None
        return peer
    return None


def peer_key(text: object) -> str:
    """A peer's identifier: a NIP in any spelling becomes its 18 digits, a code is compared without case."""
    nip = normalize_nip(text) or ""
    if len(nip) == 18 and nip.isascii() and nip.isdigit():
        return nip
    return " ".join(str(text).split()).casefold()


def _wave_order(waves: Iterable[str], evaluation: Evaluation | None = None) -> list[str]:
    order = [w.code for w in evaluation.waves] if evaluation else []

    def rank(wave: str) -> tuple[int, int, str]:
        if wave == COURSE_WAVE:
            return (0, 0, wave)
        return (1, order.index(wave) if wave in order else len(order), wave)

    return sorted(set(waves), key=rank)


# --------------------------------------------------------------------------------------------------
# summarising accepted answers


@dataclass(frozen=True)
class EvaluationResult:
    """Response rates and L1-L4 figures; every figure a Decimal with 2 places, or None when nothing answered."""

    rates: pd.DataFrame  # RATE_COLUMNS, per cohort, wave and role
    per_alumnus: pd.DataFrame  # ALUMNUS_COLUMNS
    per_cohort: pd.DataFrame  # COHORT_COLUMNS, per cohort and wave
    per_programme: pd.DataFrame  # PROGRAMME_COLUMNS, per wave over every cohort given

    def follow_up(self) -> dict[tuple[Any, str, str], list[str]]:
        """(cohort, wave, alumnus) -> reasons, for every alumnus needing follow-up."""
        rows = self.per_alumnus[self.per_alumnus["follow_up"]]
        return {
            (r.cohort_id, r.wave, r.alumnus_nip): list(r.follow_up_reasons)
            for r in rows.itertuples(index=False)  # type: ignore[attr-defined]
        }


@dataclass
class _Answers:
    """One alumnus's answers in one wave, as exact numbers."""

    l1: dict[str, list[Fraction]] = field(default_factory=dict)  # aspect -> likert answers
    pre: list[Fraction] = field(default_factory=list)
    post: list[Fraction] = field(default_factory=list)
    l3: dict[str, list[Fraction]] = field(default_factory=lambda: {role: [] for role in ROLES})
    peers: set[str] = field(default_factory=set)
    l4: list[Fraction] = field(default_factory=list)
    status: dict[str, list[str]] = field(default_factory=dict)  # role -> ap_status answers
    obstacles: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Figures:
    """One alumnus's exact figures (rounded only when reported)."""

    l1_by_aspect: dict[str, Fraction | None]
    l1: Fraction | None
    pre: Fraction | None
    post: Fraction | None
    gain: Fraction | None
    l3_self: Fraction | None
    l3_atasan: Fraction | None
    l3_peer: Fraction | None  # None when hidden
    peer_count: int
    peer_hidden: bool
    l3_overall: Fraction | None
    l4: Fraction | None
    ap_status: str | None
    sustained: bool | None
    obstacles: list[str]
    reasons: list[str]


def summarise(
    responses: pd.DataFrame, expected: pd.DataFrame, instrument: Instrument, evaluation: Evaluation
) -> EvaluationResult:
    """Response rates, per-alumnus figures with follow-ups, and cohort and programme figures, per wave.

    ``responses``: accepted answers (cohort_id, wave, alumnus_nip, role, respondent_key, item, answer
    as stored by ``normalise_responses``). ``expected``: respondents asked (cohort_id, wave,
    alumnus_nip, role, expected_count). A respondent has answered when they gave at least one answer
    for that alumnus. Only likert items of levels 1, 3 and 4, the pre/post tests, ``ap_status`` and
    ``obstacles`` enter the figures; other items an agency adds are kept but not summarised here.
    """
    items = instrument.item_levels()
    answers: dict[tuple[Any, str, str], _Answers] = {}
    respondents: dict[tuple[Any, str, str], set[tuple[str, str]]] = {}
    for row in responses[["cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item", "answer"]].itertuples(
        index=False, name=None
    ):
        cohort, wave, alumnus, role, respondent, code, answer = row
        if code not in items:
            raise ValueError(f"answer to unknown item {code!r} (instrument {instrument.key})")
        if role not in ROLES:
            raise ValueError(f"answer from unknown role {role!r}")
        respondents.setdefault((cohort, wave, role), set()).add((alumnus, respondent))
        _collect(answers.setdefault((cohort, wave, alumnus), _Answers()), items[code], role, respondent, answer)

    expected_counts: dict[tuple[Any, str, str], int] = {}
    alumni_keys = set(answers)
    for cohort, wave, alumnus, role, count in expected[
        ["cohort_id", "wave", "alumnus_nip", "role", "expected_count"]
    ].itertuples(index=False, name=None):
        expected_counts[(cohort, wave, role)] = expected_counts.get((cohort, wave, role), 0) + int(count)
        alumni_keys.add((cohort, wave, alumnus))

    ap_item = items.get(AP_STATUS)
    choices = ap_item[1].choices if ap_item else ()
    figures = {key: _figures(answers.get(key, _Answers()), choices, evaluation) for key in alumni_keys}
    waves = _wave_order({key[1] for key in alumni_keys} | {key[1] for key in expected_counts}, evaluation)

    def order(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return (str(key[0]), waves.index(key[1]), *key[2:])

    rate_rows = []
    for key in sorted(set(expected_counts) | set(respondents), key=lambda k: order((*k[:2], ROLES.index(k[2])))):
        total, answered = expected_counts.get(key, 0), len(respondents.get(key, ()))
        rate_rows.append({**dict(zip(("cohort_id", "wave", "role"), key, strict=True)), **_rate(answered, total)})
    rates = _frame(rate_rows, RATE_COLUMNS, ints=("expected", "answered"))

    alumnus_rows = [_alumnus_row(key, figures[key]) for key in sorted(figures, key=order)]
    per_alumnus = _frame(alumnus_rows, ALUMNUS_COLUMNS, ints=("peer_count",), bools=("peer_hidden", "follow_up"))
    aspects = _aspects(instrument)
    obstacle_choices = items[OBSTACLES][1].choices if OBSTACLES in items else ()

    cohort_rows = []
    for cohort, wave in sorted({k[:2] for k in figures}, key=order):
        group = [f for k, f in figures.items() if k[:2] == (cohort, wave)]
        counts = {
            role: (expected_counts.get((cohort, wave, role), 0), len(respondents.get((cohort, wave, role), ())))
            for role in ROLES
        }
        cohort_rows.append({"cohort_id": cohort, "wave": wave, **_aggregate(group, counts, aspects, obstacle_choices)})
    per_cohort = _frame(cohort_rows, COHORT_COLUMNS, ints=COUNT_COLUMNS)

    programme_rows = []
    for wave in [w for w in waves if any(k[1] == w for k in figures)]:
        group = [f for k, f in figures.items() if k[1] == wave]
        counts = {
            role: (
                sum(n for k, n in expected_counts.items() if k[1:] == (wave, role)),
                sum(len(s) for k, s in respondents.items() if k[1:] == (wave, role)),
            )
            for role in ROLES
        }
        cohorts = len({k[0] for k in figures if k[1] == wave})
        programme_rows.append(
            {"wave": wave, "cohorts": cohorts, **_aggregate(group, counts, aspects, obstacle_choices)}
        )
    per_programme = _frame(programme_rows, PROGRAMME_COLUMNS, ints=("cohorts", *COUNT_COLUMNS))
    return EvaluationResult(rates, per_alumnus, per_cohort, per_programme)


def _frame(
    rows: list[dict[str, Any]], columns: tuple[str, ...], ints: tuple[str, ...] = (), bools: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Object columns (Decimals, codes and None stay as they are), counts as int and flags as bool."""
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    return frame.astype({**dict.fromkeys(ints, "int64"), **dict.fromkeys(bools, bool)})


def _collect(acc: _Answers, found: tuple[Level, Item], role: str, respondent: str, answer: object) -> None:
    level, item = found
    text = "" if answer is None else str(answer)
    if item.kind == "likert":
        value = Fraction(int(text))
        if level.level == 1:
            acc.l1.setdefault(item.aspect or "", []).append(value)
        elif level.level == 3:
            acc.l3[role].append(value)
            if role == "rekan":
                acc.peers.add(respondent)
        elif level.level == 4:
            acc.l4.append(value)
    elif item.code in (PRE_TEST, POST_TEST):
        (acc.pre if item.code == PRE_TEST else acc.post).append(Fraction(Decimal(text)))
    elif item.code == AP_STATUS:
        acc.status.setdefault(role, []).append(text)
    elif item.code == OBSTACLES:
        acc.obstacles.update(c for c in text.split(MULTI_SEPARATOR) if c)


def _mean(values: Iterable[Fraction]) -> Fraction | None:
    values = list(values)
    return sum(values, Fraction(0)) / len(values) if values else None


def _figures(acc: _Answers, choices: tuple[str, ...], evaluation: Evaluation) -> _Figures:
    l1_by_aspect = {aspect: _mean(values) for aspect, values in acc.l1.items() if values}
    pre, post = _mean(acc.pre), _mean(acc.post)
    shown = len(acc.peers) >= evaluation.peer_min_group
    l3_peer = _mean(acc.l3["rekan"]) if shown else None
    l3_overall = _mean(acc.l3["alumni"] + acc.l3["atasan"] + (acc.l3["rekan"] if shown else []))
    # The superior's word over the alumnus's own; of several superiors, the least sustained status.
    statuses = acc.status.get("atasan") or acc.status.get("alumni") or []
    ap_status = max(statuses, key=lambda s: choices.index(s) if s in choices else len(choices)) if statuses else None
    sustained = None if ap_status is None else ap_status in evaluation.sustained_statuses
    reasons = []
    if sustained is False:
        reasons.append(REASON_AP_STOPPED)
    if l3_overall is not None and _round(l3_overall) < evaluation.behaviour_follow_up_below:
        reasons.append(REASON_BEHAVIOUR)
    return _Figures(
        l1_by_aspect=l1_by_aspect,
        l1=_mean(v for values in acc.l1.values() for v in values),
        pre=pre,
        post=post,
        gain=post - pre if pre is not None and post is not None else None,
        l3_self=_mean(acc.l3["alumni"]),
        l3_atasan=_mean(acc.l3["atasan"]),
        l3_peer=l3_peer,
        peer_count=len(acc.peers),
        peer_hidden=0 < len(acc.peers) < evaluation.peer_min_group,
        l3_overall=l3_overall,
        l4=_mean(acc.l4),
        ap_status=ap_status,
        sustained=sustained,
        obstacles=sorted(acc.obstacles),
        reasons=reasons,
    )


def _round(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value, PLACES)


def _rate(answered: int, expected: int) -> dict[str, Any]:
    rate = _round(Fraction(answered * 100, expected)) if expected else None
    return {"expected": expected, "answered": answered, "rate": rate}


def _alumnus_row(key: tuple[Any, str, str], f: _Figures) -> dict[str, Any]:
    return {
        "cohort_id": key[0],
        "wave": key[1],
        "alumnus_nip": key[2],
        "l1_score": _round(f.l1),
        "l2_pre": _round(f.pre),
        "l2_post": _round(f.post),
        "l2_gain": _round(f.gain),
        "l3_self": _round(f.l3_self),
        "l3_atasan": _round(f.l3_atasan),
        "l3_peer": _round(f.l3_peer),
        "peer_count": f.peer_count,
        "peer_hidden": f.peer_hidden,
        "l3_overall": _round(f.l3_overall),
        "l4_impact": _round(f.l4),
        "ap_status": f.ap_status,
        "sustained": f.sustained,
        "obstacles": list(f.obstacles),
        "follow_up": bool(f.reasons),
        "follow_up_reasons": list(f.reasons),
    }


def _aspects(instrument: Instrument) -> list[str]:
    level = instrument.level(1)
    aspects = [item.aspect or "" for item in level.items if item.kind == "likert"] if level else []
    return list(dict.fromkeys(aspects))


def _aggregate(
    group: list[_Figures], counts: Mapping[str, tuple[int, int]], aspects: list[str], obstacle_choices: tuple[str, ...]
) -> dict[str, Any]:
    """Figures of a group of alumni: each mean is over the alumni that have the figure (each alumnus weighs 1)."""

    def mean_of(values: Iterable[Fraction | None]) -> Decimal | None:
        return _round(_mean(v for v in values if v is not None))

    expected = sum(e for e, _ in counts.values())
    answered = sum(a for _, a in counts.values())
    with_status = [f for f in group if f.ap_status is not None]
    sustained = sum(1 for f in with_status if f.sustained)
    return {
        "alumni": len(group),
        **_rate(answered, expected),
        **{f"rate_{role}": _rate(counts[role][1], counts[role][0])["rate"] for role in ROLES},
        "l1_score": mean_of(f.l1 for f in group),
        "l1_by_aspect": {a: mean_of(f.l1_by_aspect.get(a) for f in group) for a in aspects},
        "l2_pre": mean_of(f.pre for f in group),
        "l2_post": mean_of(f.post for f in group),
        "l2_gain": mean_of(f.gain for f in group),
        "l3_self": mean_of(f.l3_self for f in group),
        "l3_atasan": mean_of(f.l3_atasan for f in group),
        "l3_peer": mean_of(f.l3_peer for f in group),
        "l3_overall": mean_of(f.l3_overall for f in group),
        "l4_impact": mean_of(f.l4 for f in group),
        "ap_answered": len(with_status),
        "sustained": sustained,
        "sustainability_rate": _rate(sustained, len(with_status))["rate"],
        "obstacle_counts": {c: sum(1 for f in group if c in f.obstacles) for c in obstacle_choices},
        "follow_up": sum(1 for f in group if f.reasons),
    }
