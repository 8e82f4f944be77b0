"""Step 1a: every roster row screened once, with the reason it is left out of the backlog (or None)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from diklat.domain.golongan import normalize_golongan
from diklat.domain.nip_layout import DIGITS, birthdays, parse_nips
from diklat.domain.planning.columns import RANK, day_numbers, map_unique, position_type_of, rank_of, trained_flag
from schemas.planning import CANDIDATE_TYPES, IN_POST_TYPE, PlanningRules
from schemas.template import Template

# Why a roster row is not in the backlog, first matching reason wins (codes; the caller labels them).
EXCLUDED_NIP = "nip_invalid"
EXCLUDED_DUPLICATE = "duplicate"
EXCLUDED_RANK_UNKNOWN = "rank_unknown"
EXCLUDED_RANK = "rank_below_minimum"
EXCLUDED_POSITION = "position_type"
EXCLUDED_TRAINED = "trained"
EXCLUDED_ENROLLED = "enrolled"  # already a participant of a cohort still running: their place is taken
EXCLUDED_RETIRED = "retired"


@dataclass(frozen=True)
class Screen:
    """Every roster row read once: the exclusion reason (None = eligible) and the derived values."""

    reason: np.ndarray
    nip_number: np.ndarray
    golongan: np.ndarray
    rank: np.ndarray
    position_type: np.ndarray
    in_post: np.ndarray
    appointed: np.ndarray
    retirement: np.ndarray
    unit_supervisors: np.ndarray


def screen(
    people: pd.DataFrame,
    trained_nips: Iterable[str],
    rules: PlanningRules,
    template: Template,
    as_of: date,
    enrolled_nips: Iterable[str] = (),
) -> Screen:
    """Read every roster row once, whole columns at a time; distinct values are parsed only once."""
    n = len(people)
    nips = parse_nips(people["nip"])
    valid, number = nips.valid, nips.number
    # Invalid rows get distinct negative stand-ins (never NaN: a float cannot hold 18 digits exactly).
    keys = np.where(valid, number, -np.arange(1, n + 1, dtype=np.int64))
    duplicate = pd.Series(keys).duplicated(keep="first").to_numpy()

    golongan, rank = map_unique(people["golongan"], normalize_golongan, rank_of)
    rank = rank.astype(np.int64)
    (kind,) = map_unique(people["position_type"], position_type_of)
    in_post = kind == IN_POST_TYPE
    candidate = np.isin(kind.astype(str), CANDIDATE_TYPES)

    flag = map_unique(people["trained"], trained_flag)[0] if "trained" in people else np.full(n, None, dtype=object)
    graduate = valid & np.isin(number, np.array(_numbers(trained_nips), dtype=np.int64))
    trained = (flag == True) | graduate  # noqa: E712 - elementwise on an object array of True/False/None
    enrolled = valid & np.isin(number, np.array(_numbers(enrolled_nips), dtype=np.int64))

    retirement = np.where(valid, birthdays(nips.birth, rules.retirement_age), 0)
    today = np.datetime64(as_of, "D").astype(np.int64)
    retired = valid & (retirement <= today)

    conditions = [
        ~valid,
        duplicate,
        rank < 0,
        rank < RANK[template.minimum_golongan],
        ~(in_post | candidate),
        trained,
        enrolled,
        retired,
    ]
    choices = [
        EXCLUDED_NIP,
        EXCLUDED_DUPLICATE,
        EXCLUDED_RANK_UNKNOWN,
        EXCLUDED_RANK,
        EXCLUDED_POSITION,
        EXCLUDED_TRAINED,
        EXCLUDED_ENROLLED,
        EXCLUDED_RETIRED,
    ]
    reason = np.select(conditions, np.array(choices, dtype=object), default=None)

    # Every pengawas on the roster (trained or not) counts for the unit-share limit: the unit's
    # work is done by all of them, the limit keeps enough at their desks.
    serving = in_post & valid & ~duplicate
    units = people["unit"].astype(object).where(people["unit"].notna(), "")
    per_unit = units[serving].value_counts()
    unit_supervisors = units.map(per_unit).fillna(0).astype(np.int64).to_numpy()
    return Screen(
        reason=reason,
        nip_number=number,
        golongan=golongan,
        rank=rank,
        position_type=kind,
        in_post=in_post,
        appointed=day_numbers(people["appointed"]),
        retirement=retirement,
        unit_supervisors=unit_supervisors,
    )


def _numbers(nips: Iterable[str]) -> list[int]:
    return [int(t) for t in (str(x).strip() for x in nips) if len(t) == DIGITS and t.isdigit()]


def exclusion_reasons(
    people: pd.DataFrame,
    trained_nips: Iterable[str],
    rules: PlanningRules,
    template: Template,
    as_of: date,
    enrolled_nips: Iterable[str] = (),
) -> pd.Series:
    """Why each roster row is not in the backlog (a code, see EXCLUDED_*), None for the eligible."""
    found = screen(people, trained_nips, rules, template, as_of, enrolled_nips).reason
    return pd.Series(found, index=people.index, dtype=object)
