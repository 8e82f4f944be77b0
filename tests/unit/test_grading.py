"""Final score, qualification band, graduation status and ranking (PKP.md, assessment section)."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diklat.domain.grading import (
    Standing,
    component_mean,
    decide,
    final_score,
    qualification,
    rank,
    round_half_up,
)
from diklat.templates import resolve_template

pytestmark = pytest.mark.unit

ASSESSMENT = resolve_template("PKP").assessment
CODES = [c.code for c in ASSESSMENT.components]
D = Decimal


def all_equal(value: str) -> dict[str, Fraction]:
    return {code: component_mean([D(value)]) for code in CODES}


def scores_of(**values: str | list[str]) -> dict[str, list[Decimal]]:
    return {code: [D(v) for v in ([value] if isinstance(value, str) else value)] for code, value in values.items()}


def standing(**changes: object) -> Standing:
    fields: dict[str, object] = {
        "withdrawn": False,
        "attendance_met": True,
        "missing_components": (),
        "missed_required": (),
        "revisions_owed": (),
        "deferral_cleared": False,
    }
    fields.update(changes)
    return Standing(**fields)  # type: ignore[arg-type]


GOOD = scores_of(aksi_perubahan=["80", "85", "90.5"], sikap_perilaku="88", substansi="82.25", studi_lapangan="79")


# --- band edges with the default template --------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "score", "label", "passing"),
    [
        ("90.00", "90.00", "Memuaskan", True),
        ("90.005", "90.01", "Sangat Memuaskan", True),
        ("90.004", "90.00", "Memuaskan", True),
        ("90.01", "90.01", "Sangat Memuaskan", True),
        ("80.00", "80.00", "Cukup Memuaskan", True),
        ("80.01", "80.01", "Memuaskan", True),
        ("70.00", "70.00", "Kurang Memuaskan", False),
        ("70.01", "70.01", "Cukup Memuaskan", True),
        ("60.01", "60.01", "Kurang Memuaskan", False),
        ("60.00", "60.00", "Tidak Memuaskan", False),
        ("0", "0.00", "Tidak Memuaskan", False),
        ("100", "100.00", "Sangat Memuaskan", True),
    ],
)
def test_every_component_at_the_target_lands_in_the_band_the_template_names(
    target: str, score: str, label: str, passing: bool
) -> None:
    result = final_score(all_equal(target), ASSESSMENT)
    assert str(result) == score
    band = qualification(result, ASSESSMENT)
    assert (band.label, band.passing) == (label, passing)


def test_components_that_combine_to_exactly_90_005_round_up_to_sangat_memuaskan() -> None:
    # 50 × 90.01 + 20 × 90 + 20 × 90 + 10 × 90 = 9000.5 -> 90.005 exactly
    means = {**all_equal("90"), "aksi_perubahan": component_mean([D("90.01")])}
    result = final_score(means, ASSESSMENT)
    assert str(result) == "90.01"
    assert qualification(result, ASSESSMENT).label == "Sangat Memuaskan"


def test_three_assessors_combining_to_exactly_90_005_round_up() -> None:
    means = {**all_equal("90"), "studi_lapangan": component_mean([D("90.05"), D("90.05"), D("90.05")])}
    assert str(final_score(means, ASSESSMENT)) == "90.01"


def test_a_weighted_sum_just_below_90_005_rounds_down_to_memuaskan() -> None:
    # studi_lapangan mean 270.14 / 3 = 90.04666…, weighted sum 90.004666… (never 90.005)
    means = {**all_equal("90"), "studi_lapangan": component_mean([D("90.05"), D("90.05"), D("90.04")])}
    result = final_score(means, ASSESSMENT)
    assert str(result) == "90.00"
    assert qualification(result, ASSESSMENT).label == "Memuaskan"


def test_rounding_is_exact_far_beyond_decimal_context_precision() -> None:
    just_below = Fraction(90005, 1000) - Fraction(1, 10**60)
    assert str(round_half_up(just_below, 2)) == "90.00"
    assert str(round_half_up(Fraction(90005, 1000), 2)) == "90.01"
    assert str(round_half_up(Fraction(-90005, 1000), 2)) == "-90.01"
    assert str(round_half_up(Fraction(1, 3), 0)) == "0"


def test_the_final_score_always_has_the_template_s_number_of_decimals() -> None:
    assert final_score(all_equal("85"), ASSESSMENT).as_tuple().exponent == -2
    assert str(final_score(all_equal("85"), ASSESSMENT)) == "85.00"


def test_a_qualification_edge_is_strictly_greater_than() -> None:
    assert qualification(D("80.00"), ASSESSMENT).label == "Cukup Memuaskan"
    assert qualification(D("80.000001"), ASSESSMENT).label == "Memuaskan"


# --- several assessors ---------------------------------------------------------------------------


def test_several_assessors_are_averaged_exactly() -> None:
    mean = component_mean([D("80"), D("85"), D("90.5")])
    assert mean == Fraction(511, 6)  # 85.1666…


def test_the_final_score_comes_from_the_exact_means_not_rounded_ones() -> None:
    means = {code: component_mean(v) for code, v in GOOD.items()}
    # 50 × 511/6 + 20 × 88 + 20 × 82.25 + 10 × 79 = 4258.333… + 1760 + 1645 + 790 = 8453.333…
    assert str(final_score(means, ASSESSMENT)) == "84.53"
    decision = decide(GOOD, standing(), ASSESSMENT)
    explained = decision.explanation
    assert explained["components"]["aksi_perubahan"] == {
        "weight": "50",
        "scores": ["80", "85", "90.5"],
        "mean": "85.1666",
        "mean_exact": "511/6",
    }
    assert explained["weighted_sum"] == "84.533333"
    assert explained["weighted_sum_exact"] == "1268/15"  # 8453.333… / 100
    assert explained["final_score"] == "84.53"


def test_a_component_without_scores_has_no_mean() -> None:
    with pytest.raises(ValueError, match="at least one"):
        component_mean([])


def test_the_mean_does_not_depend_on_the_order_of_assessors() -> None:
    values = [D("80.01"), D("85.5"), D("90.33"), D("61")]
    assert component_mean(values) == component_mean(list(reversed(values)))


# --- properties ----------------------------------------------------------------------------------

score_values = st.one_of(
    st.integers(0, 100).map(Decimal),
    st.integers(0, 1000).map(lambda i: Decimal(i).scaleb(-1)),
    st.integers(0, 10000).map(lambda i: Decimal(i).scaleb(-2)),
)
component_scores = st.fixed_dictionaries({code: st.lists(score_values, min_size=1, max_size=4) for code in CODES})


@settings(max_examples=300, deadline=None)
@given(scores=component_scores, order=st.permutations(CODES), rnd=st.randoms(use_true_random=False))
def test_the_final_score_does_not_depend_on_the_order_of_components_or_assessors(scores, order, rnd) -> None:  # noqa: ANN001
    reference = final_score({c: component_mean(v) for c, v in scores.items()}, ASSESSMENT)
    shuffled: dict[str, list[Decimal]] = {}
    for code in order:
        values = list(scores[code])
        rnd.shuffle(values)
        shuffled[code] = values
    result = final_score({c: component_mean(v) for c, v in shuffled.items()}, ASSESSMENT)
    assert str(result) == str(reference)
    assert decide(shuffled, standing(), ASSESSMENT).final_score == reference


@settings(max_examples=300, deadline=None)
@given(scores=component_scores)
def test_the_final_score_has_two_decimals_lies_in_range_and_matches_decimal_half_up(scores) -> None:  # noqa: ANN001
    result = final_score({c: component_mean(v) for c, v in scores.items()}, ASSESSMENT)
    assert result.as_tuple().exponent == -2
    assert D(0) <= result <= D(100)
    # cross-check: the same sum in high-precision Decimal, quantized half-up
    exact = (
        sum(
            (
                Fraction(c.weight) * sum(map(Fraction, scores[c.code]), Fraction(0)) / len(scores[c.code])
                for c in ASSESSMENT.components
            ),
            Fraction(0),
        )
        / 100
    )
    with localcontext() as ctx:
        ctx.prec = 80
        expected = (D(exact.numerator) / D(exact.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert result == expected


# --- refusals ------------------------------------------------------------------------------------


def test_float_scores_are_refused() -> None:
    with pytest.raises(TypeError):
        component_mean([85.5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        final_score({**all_equal("85"), "substansi": 85.0}, ASSESSMENT)  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        qualification(85.0, ASSESSMENT)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decide({**GOOD, "substansi": [85.0]}, standing(), ASSESSMENT)  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        rank({"a": 85.0})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        round_half_up(85.005, 2)  # type: ignore[arg-type]


def test_scores_outside_the_template_range_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        decide({**GOOD, "substansi": [D("100.01")]}, standing(), ASSESSMENT)
    with pytest.raises(ValueError, match="outside"):
        decide({**GOOD, "substansi": [D("-1")]}, standing(), ASSESSMENT)
    with pytest.raises(ValueError, match="outside"):
        final_score({**all_equal("85"), "substansi": Fraction(101)}, ASSESSMENT)


def test_a_non_finite_score_is_refused() -> None:
    with pytest.raises(ValueError):
        component_mean([D("NaN")])


def test_a_missing_component_is_named() -> None:
    means = all_equal("85")
    del means["studi_lapangan"]
    with pytest.raises(ValueError, match="studi_lapangan"):
        final_score(means, ASSESSMENT)


def test_an_unknown_component_is_named() -> None:
    with pytest.raises(ValueError, match="wawancara"):
        final_score({**all_equal("85"), "wawancara": Fraction(85)}, ASSESSMENT)
    with pytest.raises(ValueError, match="wawancara"):
        decide({**GOOD, "wawancara": [D("85")]}, standing(), ASSESSMENT)


# --- status paths --------------------------------------------------------------------------------


def rule_results(decision) -> list[tuple[str, object]]:  # noqa: ANN001
    return [(r["rule"], r["result"]) for r in decision.explanation["rules"]]


def test_a_participant_meeting_every_rule_passes() -> None:
    decision = decide(GOOD, standing(), ASSESSMENT)
    assert decision.status == "lulus"
    assert (decision.final_score, decision.qualification, decision.passing_band) == (D("84.53"), "Memuaskan", True)
    assert decision.explanation["band_rule"] == "> 80.00"
    assert rule_results(decision) == [
        ("withdrawn", False),
        ("no_score_row_in_quarantine", True),
        ("components_complete", True),
        ("passing_band", True),
        ("attendance_met", True),
        ("required_milestones_met", True),
        ("revisions_owed", False),
    ]
    assert decision.explanation["deciding_rule"] == "revisions_owed"
    json.dumps(decision.explanation)


def test_a_withdrawn_participant_cannot_finish_but_keeps_a_computed_score() -> None:
    decision = decide(GOOD, standing(withdrawn=True), ASSESSMENT)
    assert decision.status == "tidak_dapat_menyelesaikan"
    assert decision.final_score == D("84.53")
    assert decision.explanation["deciding_rule"] == "withdrawn"
    assert rule_results(decision) == [("withdrawn", True)]


def test_a_withdrawn_participant_without_every_component_gets_no_score() -> None:
    decision = decide({"aksi_perubahan": [D("80")]}, standing(withdrawn=True), ASSESSMENT)
    assert decision.status == "tidak_dapat_menyelesaikan"
    assert (decision.final_score, decision.qualification, decision.passing_band) == (None, None, None)
    json.dumps(decision.explanation)


def test_a_missing_component_leaves_the_result_incomplete_without_a_score() -> None:
    scores = {**GOOD, "studi_lapangan": []}
    decision = decide(scores, standing(), ASSESSMENT)
    assert decision.status == "belum_lengkap"
    assert decision.final_score is None and decision.qualification is None
    assert decision.explanation["deciding_rule"] == "components_complete"
    assert decision.explanation["rules"][-1]["missing"] == ["studi_lapangan"]
    assert decision.explanation["components"]["studi_lapangan"]["mean"] is None
    json.dumps(decision.explanation)


def test_a_component_the_standing_reports_missing_leaves_the_result_incomplete() -> None:
    decision = decide(GOOD, standing(missing_components=("substansi",)), ASSESSMENT)
    assert decision.status == "belum_lengkap"
    assert decision.explanation["rules"][-1]["missing"] == ["substansi"]


def test_a_score_in_a_failing_band_fails() -> None:
    decision = decide(scores_of(**{c: "70" for c in CODES}), standing(), ASSESSMENT)
    assert decision.status == "tidak_lulus"
    assert (decision.qualification, decision.passing_band) == ("Kurang Memuaskan", False)
    assert decision.explanation["deciding_rule"] == "passing_band"
    assert decision.explanation["rules"][-1]["band_rule"] == "> 60.00"


def test_the_lowest_band_is_explained_as_at_most_the_lowest_edge() -> None:
    decision = decide(scores_of(**{c: "60" for c in CODES}), standing(), ASSESSMENT)
    assert decision.explanation["band_rule"] == "<= 60.00"


def test_attendance_below_the_minimum_fails_despite_a_passing_score() -> None:
    decision = decide(GOOD, standing(attendance_met=False), ASSESSMENT)
    assert decision.status == "tidak_lulus"
    assert decision.passing_band is True
    assert decision.explanation["deciding_rule"] == "attendance_met"


def test_a_missed_required_milestone_fails() -> None:
    decision = decide(GOOD, standing(missed_required=("laporan_akhir",)), ASSESSMENT)
    assert decision.status == "tidak_lulus"
    assert decision.explanation["deciding_rule"] == "required_milestones_met"
    assert decision.explanation["rules"][-1]["missed"] == ["laporan_akhir"]


def test_owed_revisions_defer_the_pass() -> None:
    decision = decide(GOOD, standing(revisions_owed=("seminar_akhir",)), ASSESSMENT)
    assert decision.status == "lulus_tertunda"
    assert decision.final_score == D("84.53")
    assert rule_results(decision)[-2:] == [("revisions_owed", True), ("deferral_cleared", False)]
    assert decision.explanation["deciding_rule"] == "deferral_cleared"


def test_a_cleared_deferral_passes() -> None:
    decision = decide(GOOD, standing(revisions_owed=("seminar_akhir",), deferral_cleared=True), ASSESSMENT)
    assert decision.status == "lulus"
    assert rule_results(decision)[-1] == ("deferral_cleared", True)


def test_a_failing_band_outranks_owed_revisions() -> None:
    decision = decide(scores_of(**{c: "50" for c in CODES}), standing(revisions_owed=("seminar_akhir",)), ASSESSMENT)
    assert decision.status == "tidak_lulus"


# --- ranking -------------------------------------------------------------------------------------


def test_tied_scores_share_a_rank_and_the_next_rank_is_skipped() -> None:
    ranks = rank({"ani": D("90"), "budi": D("85"), "citra": D("85.00"), "dedi": D("80")})
    assert ranks == {"ani": 1, "budi": 2, "citra": 2, "dedi": 4}


def test_a_participant_without_a_score_has_no_rank() -> None:
    assert rank({"ani": D("90"), "eko": None, "budi": D("91")}) == {"ani": 2, "eko": None, "budi": 1}
    assert rank({}) == {}


# --- a cohort's results: decided, then ranked (diklat.domain.results) ------------------------------


def test_a_cohorts_results_rank_only_those_who_completed_the_assessment() -> None:
    from diklat.domain.results import cohort_results, status_counts

    good = scores_of(**dict.fromkeys(CODES, "90"))
    low = scores_of(**dict.fromkeys(CODES, "50"))
    seats = [11, 12, 13, 14, 15]
    scores = {11: good, 12: low, 13: good, 14: good, 15: {}}
    standings = {
        11: standing(),
        12: standing(),
        13: standing(revisions_owed=("seminar_akhir",)),
        14: standing(withdrawn=True),  # complete scores, but withdrew: no rank
        15: standing(),  # no scores at all
    }
    results = cohort_results(seats, scores, standings, ASSESSMENT)
    assert [r.enrolment_id for r in results] == seats
    got = {r.enrolment_id: (r.status, r.final_score, r.rank) for r in results}
    assert got == {
        11: ("lulus", D("90.00"), 1),
        12: ("tidak_lulus", D("50.00"), 3),
        13: ("lulus_tertunda", D("90.00"), 1),
        14: ("tidak_dapat_menyelesaikan", D("90.00"), None),
        15: ("belum_lengkap", None, None),
    }
    assert status_counts(r.status for r in results) == {
        "lulus": 1,
        "tidak_lulus": 1,
        "lulus_tertunda": 1,
        "tidak_dapat_menyelesaikan": 1,
        "belum_lengkap": 1,
    }


def test_scores_are_grouped_by_participant_and_component_in_recorded_order() -> None:
    import pandas as pd

    from diklat.domain.scores import scores_by_person

    frame = pd.DataFrame(
        {
            "enrolment_id": [1, 1, 2, 1],
            "component": ["substansi", "substansi", "substansi", "sikap_perilaku"],
            "score": ["90", "85.5", "70", "88"],
        }
    )
    assert scores_by_person(frame) == {
        1: {"substansi": [D("90"), D("85.5")], "sikap_perilaku": [D("88")]},
        2: {"substansi": [D("70")]},
    }


def test_a_score_row_waiting_in_quarantine_holds_the_participant_back_without_a_partial_score() -> None:
    from diklat.domain.grading import BELUM_LENGKAP, Standing, decide
    from diklat.templates import resolve_template

    assessment = resolve_template("PKP").assessment
    scores = {c.code: [Decimal("90")] for c in assessment.components}
    clear = Standing(False, True, (), (), ())
    held = Standing(False, True, (), (), (), scores_quarantined=True)
    assert decide(scores, clear, assessment).final_score == Decimal("90.00")
    waiting = decide(scores, held, assessment)
    assert (waiting.status, waiting.final_score, waiting.qualification) == (BELUM_LENGKAP, None, None)
    assert waiting.explanation["deciding_rule"] == "no_score_row_in_quarantine"


def test_each_participant_s_scores_are_shown_as_their_sheet_spelled_them_though_equal_values_share_a_mean() -> None:
    """The explanation's per-component parts are reused across participants (issue #17), keyed by spelling."""
    short = decide(scores_of(**dict.fromkeys(CODES, ["85.5", "90"])), standing(), ASSESSMENT)
    padded = decide(scores_of(**dict.fromkeys(CODES, ["85.50", "90.00"])), standing(), ASSESSMENT)
    assert short.explanation["components"]["substansi"]["scores"] == ["85.5", "90"]
    assert padded.explanation["components"]["substansi"]["scores"] == ["85.50", "90.00"]
    assert short.explanation["components"]["substansi"]["mean"] == padded.explanation["components"]["substansi"]["mean"]
    assert short.final_score == padded.final_score == D("87.75")
    # Nothing one participant's explanation holds is shared with another's (a consumer may change it).
    short.explanation["components"]["substansi"]["scores"].append("tampered")
    again = decide(scores_of(**dict.fromkeys(CODES, ["85.5", "90"])), standing(), ASSESSMENT)
    assert again.explanation["components"]["substansi"]["scores"] == ["85.5", "90"]
