"""The evaluation reports' conclusions: each a stated rule over the figures, with the template's thresholds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from diklat.domain.evaluation.conclusions import course_findings, post_findings
from diklat.templates import resolve_template

RULES = resolve_template("PKP").evaluation  # good at 4.00, poor below 3.00, 80 % sustained


@pytest.mark.parametrize(
    ("mean", "level", "recommended"),
    [("4.00", "good", False), ("3.99", "fair", False), ("3.00", "fair", False), ("2.99", "poor", True)],
)
def test_an_aspect_at_a_threshold_reads_as_the_template_says(mean: str, level: str, recommended: bool) -> None:
    [finding] = course_findings({"l1_by_aspect": {"Fasilitas": Decimal(mean)}}, RULES)
    assert finding.code == f"l1.{level}" and finding.params["aspect"] == "Fasilitas"
    assert finding.params["value"] == mean and (finding.recommendation == "rec.l1") == recommended


def test_learning_gain_and_its_absence() -> None:
    gained = course_findings({"l2_pre": Decimal("60"), "l2_post": Decimal("75.5"), "l2_gain": Decimal("15.5")}, RULES)
    assert [(f.code, f.recommendation) for f in gained] == [("l2.gain", None)]
    none = course_findings({"l2_pre": Decimal("70"), "l2_post": Decimal("70"), "l2_gain": Decimal("0")}, RULES)
    assert [(f.code, f.recommendation) for f in none] == [("l2.no_gain", "rec.l2")]
    assert [f.code for f in course_findings(None, RULES)] == ["course.none"]


def test_waves_sustainability_at_the_target_and_the_trend_between_waves() -> None:
    waves = [
        ("3m", {"l3_overall": Decimal("3.50"), "l4_impact": Decimal("2.50"), "sustainability_rate": Decimal("80")}),
        ("6m", {"l3_overall": Decimal("4.10"), "l4_impact": None, "sustainability_rate": Decimal("79.99")}),
    ]
    found = [(f.code, f.params.get("wave"), f.recommendation) for f in post_findings(waves, RULES)]
    assert found == [
        ("l3.fair", "3m", None),
        ("l4.poor", "3m", "rec.l4"),
        ("sustained.met", "3m", None),  # exactly the target meets it
        ("l3.good", "6m", None),
        ("sustained.below", "6m", "rec.sustained"),
        ("trend.l3.up", None, None),
        ("trend.sustained.down", None, None),
    ]
    assert [f.code for f in post_findings([], RULES)] == ["post.none"]
