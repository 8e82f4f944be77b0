"""Evaluation answers files (one wave of one cohort) with the exact figures the summary must report.

The generator decides who is asked (the alumnus, the recorded superior, 2-4 peers), who answers
(``response_rate`` per role), and every answer; ``truth`` is worked out from those choices alone
(exact fractions, half-up to 2 places), never by calling ``diklat.domain.evaluation.summarise``.
Planted cases: ``stopped`` alumni whose superior reports the change action stopped (while the
alumnus still claims it continues: the superior's word counts), and ``low_behaviour`` alumni rated
1-2 on every behaviour item. Their alumnus and superior always answer, so the planted follow-ups
show. Everyone else answers 3-5, so nobody else falls below the behaviour threshold.

Seeded and clock-free: the same arguments give the same file.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pandas as pd

from diklat.synth.people import make_nip
from schemas.files import RESPONSES
from schemas.instrument import (
    AP_STATUS,
    COURSE_WAVE,
    OBSTACLES,
    POST_TEST,
    PRE_TEST,
    ROLES,
    Instrument,
    Item,
)
from schemas.template import Evaluation

__all__ = ["DEFAULT_RESPONSE_RATE", "HEADERS", "AlumnusTruth", "EvaluationTruth", "SynthResponses", "make_responses"]

DEFAULT_RESPONSE_RATE: Mapping[str, float] = {"alumni": 0.9, "atasan": 0.8, "rekan": 0.75}
HEADERS = {c.name: c.aliases[0] for c in RESPONSES.columns if c.name != "quarantine_id"}
PLACES = Decimal("0.01")
ROLE_SPELLINGS = {"alumni": ("alumni", "Alumni", "ALUMNI"), "atasan": ("atasan", "Atasan"), "rekan": ("rekan", "Rekan")}


@dataclass(frozen=True)
class AlumnusTruth:
    """What ``summarise`` must report for one alumnus (2-place Decimals, None when nothing to report)."""

    l1_score: Decimal | None
    l2_pre: Decimal | None
    l2_post: Decimal | None
    l2_gain: Decimal | None
    l3_self: Decimal | None
    l3_atasan: Decimal | None
    l3_peer: Decimal | None
    peer_count: int
    peer_hidden: bool
    l3_overall: Decimal | None
    l4_impact: Decimal | None
    ap_status: str | None
    sustained: bool | None
    obstacles: tuple[str, ...]
    follow_up_reasons: tuple[str, ...]


@dataclass(frozen=True)
class EvaluationTruth:
    """The exact figures of the generated wave: per alumnus, per role and for the cohort."""

    alumni: Mapping[str, AlumnusTruth]
    expected: Mapping[str, int]  # role -> respondents asked
    answered: Mapping[str, int]  # role -> respondents with at least one answer
    rates: Mapping[str, Decimal | None]  # role -> answered / expected, %
    rate: Decimal | None  # all roles together
    follow_up: Mapping[str, tuple[str, ...]]  # alumnus -> reasons, only those needing follow-up
    l1_score: Decimal | None
    l1_by_aspect: Mapping[str, Decimal | None]
    l2_gain: Decimal | None
    l3_overall: Decimal | None
    l4_impact: Decimal | None
    ap_answered: int
    sustained: int
    sustainability_rate: Decimal | None
    obstacle_counts: Mapping[str, int]


@dataclass(frozen=True)
class SynthResponses:
    frame: pd.DataFrame  # NIP ALUMNI, PERAN, RESPONDEN, GELOMBANG, BUTIR, JAWABAN; all text
    expected: pd.DataFrame  # cohort_id, wave, alumnus_nip, role, expected_count (respondents asked)
    invited: pd.DataFrame  # cohort_id, wave, alumnus_nip, role, respondent, answered
    truth: EvaluationTruth
    missing_respondents: list[tuple[str, str, str]]  # (alumnus, role, respondent) who did not answer
    stopped: tuple[str, ...]  # alumni whose change action the superior reports stopped
    low_behaviour: tuple[str, ...]  # alumni rated 1-2 on every behaviour item


@dataclass(frozen=True)
class _Plan:
    """The planted cases and the status codes of the instrument."""

    stopped: tuple[str, ...]
    low: tuple[str, ...]
    self_reported: frozenset[str]  # stopped alumni without a superior: they report it themselves
    sustained_choices: tuple[str, ...]
    stopped_choice: str | None


@dataclass
class _Chosen:
    """The values the generator chose for one alumnus (ints and Decimals, as answered)."""

    l1: list[tuple[str, int]] = field(default_factory=list)  # (aspect, likert)
    pre: list[Decimal] = field(default_factory=list)
    post: list[Decimal] = field(default_factory=list)
    l3: dict[str, list[int]] = field(default_factory=lambda: {role: [] for role in ROLES})
    peers: int = 0  # peers who answered
    l4: list[int] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # role -> ap_status (one respondent per role here)
    obstacles: set[str] = field(default_factory=set)


def make_responses(
    alumni: Sequence[str],
    superiors: Mapping[str, str],
    instrument: Instrument,
    evaluation: Evaluation,
    seed: int,
    wave: str,
    cohort_id: int = 1,
    response_rate: Mapping[str, float] = DEFAULT_RESPONSE_RATE,
    peers_per_alumnus: tuple[int, int] = (2, 4),
    stopped: int = 2,
    low_behaviour: int = 1,
) -> SynthResponses:
    """One wave's answers file: ``course`` asks the during-course levels (L1, L2), a later wave the others."""
    if wave != COURSE_WAVE and wave not in {w.code for w in evaluation.waves}:
        raise ValueError(f"unknown wave {wave!r}")
    rng = random.Random(f"{seed}:responses:{cohort_id}:{wave}")
    levels = [lv for lv in instrument.levels if lv.during_course == (wave == COURSE_WAVE)]
    roles = [role for role in ROLES if any(role in lv.roles for lv in levels)]
    items = {item.code: item for lv in levels for item in lv.items}
    has_l3, has_status = any(lv.level == 3 for lv in levels), AP_STATUS in items
    pool = list(alumni)
    stopped_nips = tuple(rng.sample(pool, min(stopped, len(pool)))) if has_status else ()
    rest = [n for n in pool if n not in stopped_nips]
    low_nips = tuple(rng.sample(rest, min(low_behaviour, len(rest)))) if has_l3 else ()
    planted = set(stopped_nips) | set(low_nips)
    status_choices = items[AP_STATUS].choices if has_status else ()
    plan = _Plan(
        stopped=stopped_nips,
        low=low_nips,
        self_reported=frozenset(n for n in stopped_nips if "atasan" not in roles or not superiors.get(n)),
        sustained_choices=tuple(c for c in status_choices if c in evaluation.sustained_statuses),
        stopped_choice=next((c for c in status_choices if c not in evaluation.sustained_statuses), None),
    )

    rows: list[dict[str, str]] = []
    invited: list[dict[str, object]] = []
    chosen: dict[str, _Chosen] = {}
    taken = set(alumni)
    for index, nip in enumerate(alumni):
        values = chosen[nip] = _Chosen()
        asked: list[tuple[str, str]] = []
        if "alumni" in roles:
            asked.append(("alumni", nip))
        if "atasan" in roles and superiors.get(nip):
            asked.append(("atasan", superiors[nip]))
        if "rekan" in roles:
            for j in range(rng.randint(*peers_per_alumnus)):
                asked.append(("rekan", _peer(rng, cohort_id, index, j, taken)))
        for role, respondent in asked:
            sure = nip in planted and role != "rekan"
            answers = sure or rng.random() < response_rate.get(role, 0.0)
            invited.append(
                {
                    "cohort_id": cohort_id,
                    "wave": wave,
                    "alumnus_nip": nip,
                    "role": role,
                    "respondent": respondent,
                    "answered": answers,
                }
            )
            if not answers:
                continue
            values.peers += role == "rekan"
            shown_respondent = respondent if role != "alumni" or rng.random() < 0.5 else ""
            for lv in levels:
                if role not in lv.roles:
                    continue
                for item in lv.items:
                    text = _answer(rng, lv.level, item, role, nip, plan, values)
                    rows.append(
                        {
                            HEADERS["nip"]: nip,
                            HEADERS["role"]: rng.choice(ROLE_SPELLINGS[role]),
                            HEADERS["respondent"]: shown_respondent,
                            HEADERS["wave"]: wave,
                            HEADERS["item"]: item.code,
                            HEADERS["answer"]: text,
                        }
                    )

    frame = pd.DataFrame(rows, columns=list(HEADERS.values()), dtype=object)
    invited_frame = pd.DataFrame(
        invited, columns=["cohort_id", "wave", "alumnus_nip", "role", "respondent", "answered"]
    )
    expected = (
        invited_frame.groupby(["cohort_id", "wave", "alumnus_nip", "role"], sort=False)
        .size()
        .rename("expected_count")
        .reset_index()
    )
    missing = [(r["alumnus_nip"], r["role"], r["respondent"]) for r in invited if not r["answered"]]
    truth = _truth(alumni, chosen, invited, instrument, evaluation)
    return SynthResponses(frame, expected, invited_frame, truth, missing, stopped_nips, low_nips)


def _peer(rng: random.Random, cohort_id: int, index: int, j: int, taken: set[str]) -> str:
    """A colleague's identifier: half NIPs, half codes the organiser hands out (never an alumnus)."""
    if rng.random() < 0.5:
        return f"RK-{cohort_id:02d}-{index + 1:03d}-{j + 1}"
    while True:
        birth = date(rng.randint(1970, 1996), rng.randint(1, 12), rng.randint(1, 28))
        tmt = date(birth.year + rng.randint(22, 26), rng.randint(1, 12), 1)
        nip = make_nip(rng, birth, tmt, rng.choice("LP"))
        if nip not in taken:
            taken.add(nip)
            return nip


def _answer(
    rng: random.Random,
    level: int,
    item: Item,
    role: str,
    nip: str,
    plan: _Plan,
    values: _Chosen,
) -> str:
    """One answer as typed, recording the value in ``values``."""
    if item.kind == "likert":
        if level == 3:
            value = rng.randint(1, 2) if nip in plan.low else rng.randint(3, 5)
            values.l3[role].append(value)
        elif level == 4:
            value = rng.randint(1, 3) if nip in plan.stopped else rng.randint(3, 5)
            values.l4.append(value)
        else:
            value = rng.randint(3, 5)
            if level == 1:
                values.l1.append((item.aspect or "", value))
        return str(value)
    if item.code in (PRE_TEST, POST_TEST):
        if item.code == PRE_TEST:
            score = Decimal(rng.randint(80, 150)) / 2  # 40 to 75, in halves
            values.pre.append(score)
        else:
            base = values.pre[-1] if values.pre else Decimal(60)
            score = min(Decimal(100), base + Decimal(rng.randint(10, 60)) / 2)
            values.post.append(score)
        return format(score, "f").replace(".", ",") if score % 1 else str(int(score))
    if item.code == AP_STATUS:
        if nip in plan.stopped and plan.stopped_choice is not None:
            # The alumnus claims it goes on; the superior's answer is the one that counts.
            own = role == "atasan" or nip in plan.self_reported
            status = plan.stopped_choice if own else plan.sustained_choices[0]
        else:
            status = rng.choice(plan.sustained_choices)
        values.status[role] = status
        return rng.choice((status, status.upper(), status.capitalize()))
    if item.code == OBSTACLES:
        if nip in plan.stopped:
            named = rng.sample(list(item.choices), rng.randint(1, 3))
        else:
            named = [rng.choice(item.choices)] if rng.random() < 0.3 else []
        values.obstacles.update(named)
        return rng.choice(("; ", ";")).join(named) if named else rng.choice(("-", "tidak ada"))
    if item.kind in ("choice", "multi"):
        return rng.choice(item.choices)
    return str(rng.randint(0, 100))


def _q(value: Fraction | None) -> Decimal | None:
    """Exact fraction to 2 places, half-up (through a 50-digit division: no tie is that close)."""
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _avg(values: Iterable[int | Decimal | Fraction | None]) -> Fraction | None:
    values = [Fraction(v) for v in values]
    return Fraction(sum(values), len(values)) if values else None


def _truth(
    alumni: Sequence[str],
    chosen: Mapping[str, _Chosen],
    invited: list[dict[str, object]],
    instrument: Instrument,
    evaluation: Evaluation,
) -> EvaluationTruth:
    per: dict[str, AlumnusTruth] = {}
    exact: dict[str, dict[str, object]] = {}
    for nip in alumni:
        v = chosen[nip]
        shown = v.peers >= evaluation.peer_min_group
        pre, post = _avg(v.pre), _avg(v.post)
        overall = _avg(v.l3["alumni"] + v.l3["atasan"] + (v.l3["rekan"] if shown else []))
        status = v.status.get("atasan", v.status.get("alumni"))
        sustained = None if status is None else status in evaluation.sustained_statuses
        reasons = []
        if sustained is False:
            reasons.append("ap.stopped")
        if overall is not None and _q(overall) < evaluation.behaviour_follow_up_below:
            reasons.append("behaviour.below_threshold")
        aspects: dict[str, list[int]] = {}
        for aspect, value in v.l1:
            aspects.setdefault(aspect, []).append(value)
        exact[nip] = {
            "l1": _avg(value for _, value in v.l1),
            "aspects": {a: _avg(vals) for a, vals in aspects.items()},
            "gain": post - pre if pre is not None and post is not None else None,
            "overall": overall,
            "l4": _avg(v.l4),
        }
        per[nip] = AlumnusTruth(
            l1_score=_q(exact[nip]["l1"]),
            l2_pre=_q(pre),
            l2_post=_q(post),
            l2_gain=_q(exact[nip]["gain"]),
            l3_self=_q(_avg(v.l3["alumni"])),
            l3_atasan=_q(_avg(v.l3["atasan"])),
            l3_peer=_q(_avg(v.l3["rekan"])) if shown else None,
            peer_count=v.peers,
            peer_hidden=0 < v.peers < evaluation.peer_min_group,
            l3_overall=_q(overall),
            l4_impact=_q(exact[nip]["l4"]),
            ap_status=status,
            sustained=sustained,
            obstacles=tuple(sorted(v.obstacles)),
            follow_up_reasons=tuple(reasons),
        )

    expected = {role: sum(1 for r in invited if r["role"] == role) for role in ROLES}
    answered = {role: sum(1 for r in invited if r["role"] == role and r["answered"]) for role in ROLES}

    def pct(part: int, whole: int) -> Decimal | None:
        return _q(Fraction(part * 100, whole)) if whole else None

    def across(key: str) -> Decimal | None:
        return _q(_avg(e[key] for e in exact.values() if e[key] is not None))

    l1_level = next((lv for lv in instrument.levels if lv.level == 1), None)
    aspect_names = list(dict.fromkeys(i.aspect or "" for i in l1_level.items if i.kind == "likert")) if l1_level else []
    with_status = [t for t in per.values() if t.ap_status is not None]
    obstacle_item = next((i for lv in instrument.levels for i in lv.items if i.code == OBSTACLES), None)
    return EvaluationTruth(
        alumni=per,
        expected=expected,
        answered=answered,
        rates={role: pct(answered[role], expected[role]) for role in ROLES},
        rate=pct(sum(answered.values()), sum(expected.values())),
        follow_up={nip: t.follow_up_reasons for nip, t in per.items() if t.follow_up_reasons},
        l1_score=across("l1"),
        l1_by_aspect={a: _q(_avg(e["aspects"][a] for e in exact.values() if a in e["aspects"])) for a in aspect_names},
        l2_gain=across("gain"),
        l3_overall=across("overall"),
        l4_impact=across("l4"),
        ap_answered=len(with_status),
        sustained=sum(1 for t in with_status if t.sustained),
        sustainability_rate=pct(sum(1 for t in with_status if t.sustained), len(with_status)),
        obstacle_counts={c: sum(1 for t in per.values() if c in t.obstacles) for c in obstacle_item.choices}
        if obstacle_item
        else {},
    )
