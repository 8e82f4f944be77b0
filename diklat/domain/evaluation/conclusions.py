"""Conclusions and recommendations of the evaluation reports, derived from the figures by stated rules.

Every rule reads a threshold of the template (``evaluation.report_good_at``, ``report_poor_below``,
``report_sustained_target``) and the report prints it beside the finding, so a reader can check
each sentence against the table above it. Pure: figures in, findings out (codes and parameters;
the report words them through the catalogs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from schemas.template import Evaluation


@dataclass(frozen=True)
class Finding:
    code: str  # e.g. "l1.poor": the report's catalog words it
    params: dict[str, Any] = field(default_factory=dict)
    recommendation: str | None = None  # a code as well, when the finding asks for action


def _level(value: Decimal, rules: Evaluation) -> str:
    if value >= rules.report_good_at:
        return "good"
    return "poor" if value < rules.report_poor_below else "fair"


def _fixed(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _common(rules: Evaluation) -> dict[str, Any]:
    return {
        "max": rules.likert_max,
        "good": _fixed(rules.report_good_at),
        "poor": _fixed(rules.report_poor_below),
        "target": _fixed(rules.report_sustained_target),
    }


def course_findings(course: Mapping[str, Any] | None, rules: Evaluation) -> list[Finding]:
    """L1 per aspect and L2 gain over the whole programme (the course wave's figures, or None)."""
    if course is None:
        return [Finding("course.none")]
    out: list[Finding] = []
    common = _common(rules)
    for aspect, value in (course.get("l1_by_aspect") or {}).items():
        if value is None:
            continue
        level = _level(value, rules)
        out.append(
            Finding(
                f"l1.{level}",
                {**common, "aspect": aspect, "value": _fixed(value)},
                "rec.l1" if level == "poor" else None,
            )
        )
    gain = course.get("l2_gain")
    if gain is not None:
        params = {"value": _fixed(gain), "pre": _fixed(course.get("l2_pre")), "post": _fixed(course.get("l2_post"))}
        out.append(Finding("l2.gain", params) if gain > 0 else Finding("l2.no_gain", params, "rec.l2"))
    return out or [Finding("course.none")]


def post_findings(waves: Sequence[tuple[str, Mapping[str, Any]]], rules: Evaluation) -> list[Finding]:
    """L3, L4 and sustainability per wave (programme figures, in wave order), and the trend between waves."""
    if not waves:
        return [Finding("post.none")]
    out: list[Finding] = []
    common = _common(rules)
    for wave, figures in waves:
        for measure, key in (("l3", "l3_overall"), ("l4", "l4_impact")):
            value = figures.get(key)
            if value is not None:
                level = _level(value, rules)
                out.append(
                    Finding(
                        f"{measure}.{level}",
                        {**common, "wave": wave, "value": _fixed(value)},
                        f"rec.{measure}" if level == "poor" else None,
                    )
                )
        sustained = figures.get("sustainability_rate")
        if sustained is not None:
            met = Decimal(sustained) >= rules.report_sustained_target
            out.append(
                Finding(
                    "sustained.met" if met else "sustained.below",
                    {**common, "wave": wave, "value": _fixed(Decimal(sustained))},
                    None if met else "rec.sustained",
                )
            )
    first, last = waves[0], waves[-1]
    if first[0] != last[0]:
        for measure, key in (("l3", "l3_overall"), ("sustained", "sustainability_rate")):
            a, b = first[1].get(key), last[1].get(key)
            if a is not None and b is not None:
                direction = "up" if b > a else "down" if b < a else "same"
                out.append(
                    Finding(
                        f"trend.{measure}.{direction}",
                        {"first": first[0], "last": last[0], "from": _fixed(Decimal(a)), "to": _fixed(Decimal(b))},
                    )
                )
    return out
