"""Figures as reported rows: one per alumnus, and the aggregate of a group of alumni (cohort, programme)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from diklat.domain.evaluation.figures import Figures, mean, rate, rounded
from schemas.instrument import ROLES, Instrument


def alumnus_row(key: tuple[Any, str, str], f: Figures) -> dict[str, Any]:
    return {
        "cohort_id": key[0],
        "wave": key[1],
        "alumnus_nip": key[2],
        "l1_score": rounded(f.l1),
        "l2_pre": rounded(f.pre),
        "l2_post": rounded(f.post),
        "l2_gain": rounded(f.gain),
        "l3_self": rounded(f.l3_self),
        "l3_atasan": rounded(f.l3_atasan),
        "l3_peer": rounded(f.l3_peer),
        "peer_count": f.peer_count,
        "peer_hidden": f.peer_hidden,
        "l3_overall": rounded(f.l3_overall),
        "l4_impact": rounded(f.l4),
        "ap_status": f.ap_status,
        "sustained": f.sustained,
        "obstacles": list(f.obstacles),
        "follow_up": bool(f.reasons),
        "follow_up_reasons": list(f.reasons),
    }


def aspects_of(instrument: Instrument) -> list[str]:
    level = instrument.level(1)
    aspects = [item.aspect or "" for item in level.items if item.kind == "likert"] if level else []
    return list(dict.fromkeys(aspects))


def aggregate(
    group: list[Figures], counts: Mapping[str, tuple[int, int]], aspects: list[str], obstacle_choices: tuple[str, ...]
) -> dict[str, Any]:
    """Figures of a group of alumni: each mean is over the alumni that have the figure (each alumnus weighs 1)."""

    def mean_of(values: Iterable[Fraction | None]) -> Decimal | None:
        return rounded(mean(v for v in values if v is not None))

    expected = sum(e for e, _ in counts.values())
    answered = sum(a for _, a in counts.values())
    with_status = [f for f in group if f.ap_status is not None]
    sustained = sum(1 for f in with_status if f.sustained)
    return {
        "alumni": len(group),
        **rate(answered, expected),
        **{f"rate_{role}": rate(counts[role][1], counts[role][0])["rate"] for role in ROLES},
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
        "sustainability_rate": rate(sustained, len(with_status))["rate"],
        "obstacle_counts": {c: sum(1 for f in group if c in f.obstacles) for c in obstacle_choices},
        "follow_up": sum(1 for f in group if f.reasons),
    }
