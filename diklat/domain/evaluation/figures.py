"""One alumnus's answers in one wave as exact figures: L1-L4, the change action and follow-up reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from diklat.domain.grading import round_half_up
from schemas.instrument import AP_STATUS, MULTI_SEPARATOR, OBSTACLES, POST_TEST, PRE_TEST, ROLES, Item, Level
from schemas.template import Evaluation

PLACES = 2  # reported means and rates: exact value rounded half-up once to 2 places
REASON_AP_STOPPED = "ap.stopped"  # the change action's status is not a sustained one
REASON_BEHAVIOUR = "behaviour.below_threshold"  # L3 overall below evaluation.behaviour_follow_up_below


@dataclass
class Answers:
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
class Figures:
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


def collect(acc: Answers, found: tuple[Level, Item], role: str, respondent: str, answer: object) -> None:
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


def mean(values: Iterable[Fraction]) -> Fraction | None:
    values = list(values)
    return sum(values, Fraction(0)) / len(values) if values else None


def alumnus_figures(acc: Answers, choices: tuple[str, ...], evaluation: Evaluation) -> Figures:
    l1_by_aspect = {aspect: mean(values) for aspect, values in acc.l1.items() if values}
    pre, post = mean(acc.pre), mean(acc.post)
    shown = len(acc.peers) >= evaluation.peer_min_group
    l3_peer = mean(acc.l3["rekan"]) if shown else None
    l3_overall = mean(acc.l3["alumni"] + acc.l3["atasan"] + (acc.l3["rekan"] if shown else []))
    # The superior's word over the alumnus's own; of several superiors, the least sustained status.
    statuses = acc.status.get("atasan") or acc.status.get("alumni") or []
    ap_status = max(statuses, key=lambda s: choices.index(s) if s in choices else len(choices)) if statuses else None
    sustained = None if ap_status is None else ap_status in evaluation.sustained_statuses
    reasons = []
    if sustained is False:
        reasons.append(REASON_AP_STOPPED)
    if l3_overall is not None and rounded(l3_overall) < evaluation.behaviour_follow_up_below:
        reasons.append(REASON_BEHAVIOUR)
    return Figures(
        l1_by_aspect=l1_by_aspect,
        l1=mean(v for values in acc.l1.values() for v in values),
        pre=pre,
        post=post,
        gain=post - pre if pre is not None and post is not None else None,
        l3_self=mean(acc.l3["alumni"]),
        l3_atasan=mean(acc.l3["atasan"]),
        l3_peer=l3_peer,
        peer_count=len(acc.peers),
        peer_hidden=0 < len(acc.peers) < evaluation.peer_min_group,
        l3_overall=l3_overall,
        l4=mean(acc.l4),
        ap_status=ap_status,
        sustained=sustained,
        obstacles=sorted(acc.obstacles),
        reasons=reasons,
    )


def rounded(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value, PLACES)


def rate(answered: int, expected: int) -> dict[str, Any]:
    rate = rounded(Fraction(answered * 100, expected)) if expected else None
    return {"expected": expected, "answered": answered, "rate": rate}
