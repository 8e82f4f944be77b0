"""Final score, qualification band, graduation status and ranking (PKP.md, assessment section).

Pure and exact: scores are ``Decimal`` (or ``int``), means and weighted sums are ``Fraction``, and
the only rounding is the one the template names (``assessment.rounding``, half-up, to
``assessment.decimals`` places), applied ONCE to the exact weighted sum. Binary floats are refused
with ``TypeError`` everywhere, so a result never depends on float error or on the order of inputs.

Inside, exact values are carried as reduced integer pairs (numerator, denominator): the same
arithmetic as ``Fraction`` without its generic dispatch, which made ``decide`` cost 100 µs a
participant, a second of every 10,000 graded (issue #17). The public functions still take and
return ``Fraction``.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from schemas.template import Assessment, Band

K = TypeVar("K", bound=Hashable)

LULUS = "lulus"
LULUS_TERTUNDA = "lulus_tertunda"
TIDAK_LULUS = "tidak_lulus"
TIDAK_DAPAT_MENYELESAIKAN = "tidak_dapat_menyelesaikan"
BELUM_LENGKAP = "belum_lengkap"

MEAN_PLACES = 4  # digits shown for a component mean in the explanation
SUM_PLACES = 6  # digits shown for the weighted sum in the explanation


@dataclass(frozen=True)
class Standing:
    """What the graduation rules need besides the scores (PKP.md: attendance, milestones, deferral)."""

    withdrawn: bool
    attendance_met: bool  # attendance minimum reached at the end
    missing_components: tuple[str, ...]
    missed_required: tuple[str, ...]  # required milestone codes missed (not waived), excluding revisions owed
    revisions_owed: tuple[str, ...]  # seminar/deliverable milestone codes whose latest outcome is 'revise'
    deferral_cleared: bool = False  # an operator cleared the owed revisions
    scores_quarantined: bool = False  # a score row of theirs waits in quarantine: grading waits for the fix


@dataclass(frozen=True)
class Decision:
    """A participant's status with the score, band and a JSON-safe account of how it was reached."""

    status: str  # lulus | lulus_tertunda | tidak_lulus | tidak_dapat_menyelesaikan | belum_lengkap
    final_score: Decimal | None
    qualification: str | None
    passing_band: bool | None
    explanation: dict[str, Any]


Ratio = tuple[int, int]  # an exact value: numerator, denominator > 0, reduced


def _ratio(value: object, what: str) -> Ratio:
    """A Decimal, int or Fraction as an exact reduced ratio; floats (and bools) are refused."""
    if type(value) is Decimal:  # the common case, first: a score as the gate parsed it
        if not value.is_finite():  # type: ignore[attr-defined]
            raise ValueError(f"{what} is not a finite number: {value}")
        return _decimal_ratio(value)  # type: ignore[arg-type]
    exact = _exact(value, what)
    return exact.numerator, exact.denominator


@functools.lru_cache(maxsize=65_536)
def _decimal_ratio(value: Decimal) -> Ratio:
    """Cached: a national assessment has 800,000 scores but few distinct values (85.25, 90.5...)."""
    return value.as_integer_ratio()  # reduced, denominator > 0


def _reduced(numerator: int, denominator: int) -> Ratio:
    common = math.gcd(numerator, denominator)
    return numerator // common, denominator // common


def _ratio_sum(terms: Sequence[Ratio]) -> Ratio:
    # Over the running least common denominator, term by term: the same exact sum as over the lcm of
    # all of them, without generators (this runs for every component of every participant).
    numerator, denominator = terms[0]
    for n, d in terms[1:]:
        if d == denominator:
            numerator += n
        else:
            common = denominator // math.gcd(denominator, d) * d
            numerator, denominator = numerator * (common // denominator) + n * (common // d), common
    return _reduced(numerator, denominator)


def _ratio_text(value: Ratio) -> str:
    """As ``str(Fraction)`` writes it: "a/b", or "a" for a whole number."""
    numerator, denominator = value
    return str(numerator) if denominator == 1 else f"{numerator}/{denominator}"


def _exact(value: object, what: str) -> Fraction:
    """A Decimal, int or Fraction as an exact Fraction; floats (and bools) are refused."""
    if type(value) is Decimal:  # the common case, first: a score as the gate parsed it
        if not value.is_finite():  # type: ignore[attr-defined]
            raise ValueError(f"{what} is not a finite number: {value}")
        return _decimal_fraction(value)  # type: ignore[arg-type]
    if isinstance(value, bool) or not isinstance(value, Decimal | int | Fraction):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__} ({value!r})")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} is not a finite number: {value}")
    return Fraction(value)


@functools.lru_cache(maxsize=65_536)
def _decimal_fraction(value: Decimal) -> Fraction:
    """Cached: a national assessment has 800,000 scores but few distinct values (85.25, 90.5...).

    Equal Decimals (85.5 and 85.50) hash alike and have the same Fraction, so sharing is exact.
    """
    return Fraction(value)


def _decimal(sign: int, magnitude: int, places: int) -> Decimal:
    """sign × magnitude × 10^-places as a Decimal with exactly ``places`` places (no context rounding).

    Built from its text ("8788E-2"), which Decimal reads exactly whatever the context's precision.
    """
    return Decimal(f"{'-' if sign < 0 and magnitude else ''}{magnitude}E-{places}")


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """Template ``assessment.rounding`` ROUND_HALF_UP to ``assessment.decimals``, exact on the Fraction."""
    return _round_ratio(_ratio(value, "value"), decimals)


def _round_ratio(value: Ratio, decimals: int) -> Decimal:
    numerator, denominator = value
    # floor(|x|·10^d + 1/2): ties go away from zero, as decimal.ROUND_HALF_UP does.
    magnitude = (2 * abs(numerator) * 10**decimals + denominator) // (2 * denominator)
    return _decimal(-1 if numerator < 0 else 1, magnitude, decimals)


def _shown(value: Fraction | Ratio, places: int) -> str:
    """Digits of the exact value truncated (not rounded) to ``places``, for the explanation only.

    Truncating keeps the shown digits a prefix of the exact expansion, so rounding the shown
    weighted sum half-up to fewer places gives the same final score as rounding the exact one.
    """
    numerator, denominator = value if isinstance(value, tuple) else (value.numerator, value.denominator)
    magnitude = abs(numerator) * 10**places // denominator
    return format(_decimal(-1 if numerator < 0 else 1, magnitude, places), "f")


def component_mean(scores: Sequence[Decimal]) -> Fraction:
    """Template ``assessment.assessor_aggregate`` "mean": the exact mean of one component's assessor scores."""
    return Fraction(*_mean(scores))


def _mean(scores: Sequence[Decimal]) -> Ratio:
    if not scores:
        raise ValueError("a component mean needs at least one assessor score")
    numerator, denominator = _ratio_sum([_ratio(s, "score") for s in scores])
    return _reduced(numerator, denominator * len(scores))


def weighted_sum(means: Mapping[str, Fraction], assessment: Assessment) -> Fraction:
    """Template ``assessment.components`` weights: the exact Σ weight × mean / 100, before any rounding."""
    return Fraction(*_weighted(means, assessment))


def _weighted(means: Mapping[str, Fraction | Ratio], assessment: Assessment, *, in_range: bool = False) -> Ratio:
    """Σ weight × mean / 100, exact; ``in_range``: the means come from scores already checked (``decide``)."""
    codes = [c.code for c in assessment.components]
    unknown = sorted(set(means) - set(codes))
    if unknown:
        raise ValueError(f"unknown assessment component(s): {', '.join(unknown)} (expected {', '.join(codes)})")
    missing = [code for code in codes if code not in means]
    if missing:
        raise ValueError(f"missing assessment component(s): {', '.join(missing)}")
    low, high = assessment.score_min, assessment.score_max
    terms = []
    for component in assessment.components:
        given = means[component.code]
        mean = given if isinstance(given, tuple) else _ratio(given, f"mean of {component.code}")
        if not in_range and not (_compare(mean, low) >= 0 and _compare(mean, high) <= 0):
            raise ValueError(
                f"mean of {component.code} is {_shown(mean, MEAN_PLACES)}, outside "
                f"[{assessment.score_min}, {assessment.score_max}]"
            )
        weight = _ratio(component.weight, "weight")
        terms.append((weight[0] * mean[0], weight[1] * mean[1]))
    numerator, denominator = _ratio_sum(terms)
    return _reduced(numerator, denominator * 100)


def _compare(value: Ratio, bound: Decimal) -> int:
    """-1, 0 or 1 as the exact ``value`` is below, at or above ``bound``."""
    n, d = _ratio(bound, "bound")
    left, right = value[0] * d, n * value[1]
    return (left > right) - (left < right)


def final_score(means: Mapping[str, Fraction], assessment: Assessment) -> Decimal:
    """Template ``assessment.decimals``/``rounding``: the exact weighted sum rounded once, half-up."""
    return _round_ratio(_weighted(means, assessment), assessment.decimals)


def qualification(score: Decimal, assessment: Assessment) -> Band:
    """Template ``assessment.bands`` (PKP.md, ASSUMPTION band edges): first band with score > ``above``."""
    exact = _ratio(score, "final score")
    for band in assessment.bands:
        if band.above is None or _compare(exact, band.above) > 0:
            return band
    raise ValueError("the template's last band must have no 'above' edge")  # the schema guarantees it


def band_rule(band: Band, assessment: Assessment) -> str:
    """Template ``assessment.bands``: the edge a band applies, as text ("> 80.00", or "<= 60.00" for the last)."""
    places = assessment.decimals
    if band.above is not None:
        return f"> {band.above:.{places}f}"
    edges = [b.above for b in assessment.bands if b.above is not None]
    return f"<= {min(edges):.{places}f}" if edges else "any score"


def _check_scores(scores: Mapping[str, Sequence[Decimal]], assessment: Assessment) -> None:
    """Every score is a Decimal within [score_min, score_max] of a component the template knows."""
    codes = {c.code for c in assessment.components}
    unknown = sorted(set(scores) - codes)
    if unknown:
        raise ValueError(f"unknown assessment component(s): {', '.join(unknown)}")
    low, high = assessment.score_min, assessment.score_max
    for code, values in scores.items():
        for value in values:
            exact = _ratio(value, f"score of {code}")  # refuses floats and non-finite values
            # Decimal against Decimal compares exactly; anything else through its ratio.
            inside = (
                low <= value <= high if type(value) is Decimal else _compare(exact, low) >= 0 >= _compare(exact, high)
            )
            if not inside:
                raise ValueError(f"score {value} of {code} is outside [{assessment.score_min}, {assessment.score_max}]")


_COMPONENTS: dict[tuple[str, ...], tuple[tuple[str, ...], Ratio, str, str]] = {}


def _component(values: Sequence[Any]) -> tuple[tuple[str, ...], Ratio, str, str]:
    """A component's scores as shown, and their exact mean (as a ratio, truncated, and as text).

    Cached by the scores' spelling (85.5 and 85.50 are shown differently, so they are different
    keys): a national assessment repeats the same assessor scores across many participants.
    """
    texts = tuple(format(v, "f") if type(v) is Decimal else str(v) for v in values)
    found = _COMPONENTS.get(texts)
    if found is None:
        mean = _mean(values)
        found = texts, mean, _shown(mean, MEAN_PLACES), _ratio_text(mean)
        if len(_COMPONENTS) >= 100_000:
            _COMPONENTS.clear()  # bounded: a cache, not a record
        _COMPONENTS[texts] = found
    return found


def decide(scores: Mapping[str, Sequence[Decimal]], standing: Standing, assessment: Assessment) -> Decision:
    """PKP.md graduation rules: withdrawn, complete, passing band, attendance, required milestones, deferral."""
    _check_scores(scores, assessment)
    missing = [c.code for c in assessment.components if not scores.get(c.code) or c.code in standing.missing_components]
    missing += sorted(set(standing.missing_components) - set(missing))

    components: dict[str, Any] = {}
    means: dict[str, Ratio] = {}
    for component in assessment.components:
        values = scores.get(component.code, ())
        entry: dict[str, Any] = {
            "weight": format(component.weight, "f"),
            "scores": [],
            "mean": None,
            "mean_exact": None,
        }
        if values:
            texts, mean, shown, exact = _component(values)
            means[component.code] = mean
            entry.update(scores=list(texts), mean=shown, mean_exact=exact)
        components[component.code] = entry

    explanation: dict[str, Any] = {
        "components": components,
        "weighted_sum": None,
        "weighted_sum_exact": None,
        "rounding": f"{assessment.rounding} to {assessment.decimals} decimals, once, on the exact weighted sum",
        "display": f"means and the weighted sum are shown truncated to {MEAN_PLACES} and {SUM_PLACES} decimals",
        "final_score": None,
        "qualification": None,
        "band_rule": None,
        "passing_band": None,
        "rules": [],
    }
    rules: list[dict[str, Any]] = explanation["rules"]
    score: Decimal | None = None
    band: Band | None = None
    if not missing and not standing.scores_quarantined:  # a partial score is never computed or shown
        exact = _weighted(means, assessment, in_range=True)  # a mean of scores within bounds is within them
        score = _round_ratio(exact, assessment.decimals)
        band = qualification(score, assessment)
        rule_text = band_rule(band, assessment)
        explanation.update(
            weighted_sum=_shown(exact, SUM_PLACES),
            weighted_sum_exact=_ratio_text(exact),
            final_score=format(score, "f"),
            qualification=band.label,
            band_rule=rule_text,
            passing_band=band.passing,
        )

    def done(status: str) -> Decision:
        explanation["status"] = status
        explanation["deciding_rule"] = rules[-1]["rule"]
        return Decision(status, score, band.label if band else None, band.passing if band else None, explanation)

    rules.append({"rule": "withdrawn", "result": standing.withdrawn})
    if standing.withdrawn:
        return done(TIDAK_DAPAT_MENYELESAIKAN)
    # Grading from the rows that passed while another assessor's row waits for a fix would certify a
    # score no assessor panel gave (issue 13: 86.84 from one row instead of 89.34 from both).
    rules.append({"rule": "no_score_row_in_quarantine", "result": not standing.scores_quarantined})
    if standing.scores_quarantined:
        return done(BELUM_LENGKAP)
    rules.append({"rule": "components_complete", "result": not missing, "missing": missing})
    if missing:
        return done(BELUM_LENGKAP)
    assert band is not None
    rules.append(
        {
            "rule": "passing_band",
            "result": band.passing,
            "qualification": band.label,
            "band_rule": explanation["band_rule"],
        }
    )
    if not band.passing:
        return done(TIDAK_LULUS)
    rules.append({"rule": "attendance_met", "result": standing.attendance_met})
    if not standing.attendance_met:
        return done(TIDAK_LULUS)
    rules.append(
        {
            "rule": "required_milestones_met",
            "result": not standing.missed_required,
            "missed": list(standing.missed_required),
        }
    )
    if standing.missed_required:
        return done(TIDAK_LULUS)
    rules.append(
        {"rule": "revisions_owed", "result": bool(standing.revisions_owed), "milestones": list(standing.revisions_owed)}
    )
    if not standing.revisions_owed:
        return done(LULUS)
    rules.append({"rule": "deferral_cleared", "result": standing.deferral_cleared})
    return done(LULUS if standing.deferral_cleared else LULUS_TERTUNDA)


def remark(explanation: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Why a participant did not simply pass, from the rule that decided (``explanation["rules"]``).

    None for a plain pass. Otherwise a code and its parameters, for the recap's remarks column:
    ``attendance``, ``milestones`` (the missed codes), ``band`` (the qualification), ``incomplete``
    (the missing components), ``quarantined``, ``withdrawn``, ``deferred`` and ``deferral_cleared``
    (the milestones whose revision was owed).
    """
    rules = explanation.get("rules") or []
    if not rules:
        return None
    last = rules[-1]
    rule, passed = last["rule"], last["result"]
    if rule == "withdrawn" and passed:
        return "withdrawn", {}
    if rule == "no_score_row_in_quarantine" and not passed:
        return "quarantined", {}
    if rule == "components_complete" and not passed:
        return "incomplete", {"components": list(last.get("missing", []))}
    if rule == "passing_band" and not passed:
        return "band", {"qualification": last.get("qualification")}
    if rule == "attendance_met" and not passed:
        return "attendance", {}
    if rule == "required_milestones_met" and not passed:
        return "milestones", {"milestones": list(last.get("missed", []))}
    if rule == "deferral_cleared":
        owed = next((r.get("milestones", []) for r in rules if r["rule"] == "revisions_owed"), [])
        return ("deferral_cleared" if passed else "deferred"), {"milestones": list(owed)}
    return None


def rank(scores: Mapping[K, Decimal | None]) -> dict[K, int | None]:
    """Recap ranking by final score, descending, standard competition ("1224"): ties share a rank.

    A participant's rank is 1 + the number of strictly higher scores, so 90, 85, 85, 80 rank
    1, 2, 2, 4. Equal scores are equal whatever their spelling (85.0 == 85.00). A ``None`` score
    (no final score) gets rank ``None``. The order of tied participants in a recap (by name) is the
    caller's concern; this function only numbers them.
    """
    exact = {key: None if value is None else _exact(value, f"score of {key!r}") for key, value in scores.items()}
    ascending = sorted(v for v in exact.values() if v is not None)
    return {
        key: None if value is None else len(ascending) - bisect_right(ascending, value) + 1
        for key, value in exact.items()
    }
