"""Accepted answers to response rates and L1-L4 figures per alumnus, cohort and programme (exact)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from diklat.domain.evaluation.columns import (
    ALUMNUS_COLUMNS,
    COHORT_COLUMNS,
    COUNT_COLUMNS,
    PROGRAMME_COLUMNS,
    RATE_COLUMNS,
)
from diklat.domain.evaluation.figures import Answers, alumnus_figures, collect, rate
from diklat.domain.evaluation.rows import aggregate, alumnus_row, aspects_of
from diklat.domain.evaluation.waves import wave_order
from schemas.instrument import AP_STATUS, OBSTACLES, ROLES, Instrument
from schemas.template import Evaluation


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
    answers: dict[tuple[Any, str, str], Answers] = {}
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
        collect(answers.setdefault((cohort, wave, alumnus), Answers()), items[code], role, respondent, answer)

    expected_counts: dict[tuple[Any, str, str], int] = {}
    alumni_keys = set(answers)
    for cohort, wave, alumnus, role, count in expected[
        ["cohort_id", "wave", "alumnus_nip", "role", "expected_count"]
    ].itertuples(index=False, name=None):
        expected_counts[(cohort, wave, role)] = expected_counts.get((cohort, wave, role), 0) + int(count)
        alumni_keys.add((cohort, wave, alumnus))

    ap_item = items.get(AP_STATUS)
    choices = ap_item[1].choices if ap_item else ()
    figures = {key: alumnus_figures(answers.get(key, Answers()), choices, evaluation) for key in alumni_keys}
    waves = wave_order({key[1] for key in alumni_keys} | {key[1] for key in expected_counts}, evaluation)

    def order(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return (str(key[0]), waves.index(key[1]), *key[2:])

    rate_rows = []
    for key in sorted(set(expected_counts) | set(respondents), key=lambda k: order((*k[:2], ROLES.index(k[2])))):
        total, answered = expected_counts.get(key, 0), len(respondents.get(key, ()))
        rate_rows.append({**dict(zip(("cohort_id", "wave", "role"), key, strict=True)), **rate(answered, total)})
    rates = _frame(rate_rows, RATE_COLUMNS, ints=("expected", "answered"))

    alumnus_rows = [alumnus_row(key, figures[key]) for key in sorted(figures, key=order)]
    per_alumnus = _frame(alumnus_rows, ALUMNUS_COLUMNS, ints=("peer_count",), bools=("peer_hidden", "follow_up"))
    aspects = aspects_of(instrument)
    obstacle_choices = items[OBSTACLES][1].choices if OBSTACLES in items else ()

    cohort_rows = []
    for cohort, wave in sorted({k[:2] for k in figures}, key=order):
        group = [f for k, f in figures.items() if k[:2] == (cohort, wave)]
        counts = {
            role: (expected_counts.get((cohort, wave, role), 0), len(respondents.get((cohort, wave, role), ())))
            for role in ROLES
        }
        cohort_rows.append({"cohort_id": cohort, "wave": wave, **aggregate(group, counts, aspects, obstacle_choices)})
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
        programme_rows.append({"wave": wave, "cohorts": cohorts, **aggregate(group, counts, aspects, obstacle_choices)})
    per_programme = _frame(programme_rows, PROGRAMME_COLUMNS, ints=("cohorts", *COUNT_COLUMNS))
    return EvaluationResult(rates, per_alumnus, per_cohort, per_programme)


def _frame(
    rows: list[dict[str, Any]], columns: tuple[str, ...], ints: tuple[str, ...] = (), bools: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Object columns (Decimals, codes and None stay as they are), counts as int and flags as bool."""
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    return frame.astype({**dict.fromkeys(ints, "int64"), **dict.fromkeys(bools, bool)})
