"""Step 3: the backlog seated in priority order, within capacity and each unit's share of its supervisors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from diklat.domain.calendar import build_calendar, days_off_for
from schemas.planning import PlanningRules
from schemas.template import Template

# Why a backlog row got no seat.
UNPLACED_CAPACITY = "capacity"
UNPLACED_UNIT_SHARE = "unit_share"


@dataclass(frozen=True)
class PlannedCohort:
    number: int
    start: date
    end: date
    members: pd.DataFrame  # backlog rows in priority order, plus ``seat`` (1..) and ``cohort``


@dataclass(frozen=True)
class Plan:
    cohorts: list[PlannedCohort]
    unplaced: pd.DataFrame  # backlog rows without a seat, in priority order, plus ``reason``
    unit_counts: pd.DataFrame  # cohort, unit, members, in_post, supervisors, limit
    capacity: int = 0
    max_unit_share: Decimal = Decimal("0.5")
    unused_start_dates: int = 0  # start dates beyond rules.cohorts_per_year
    # cohort numbers on campus on the same day (classical phases overlapping): together they hold each
    # unit to its limit, as one cohort does
    overlapping: tuple[tuple[int, ...], ...] = ()

    @property
    def placed(self) -> int:
        return sum(len(c.members) for c in self.cohorts)

    def unit_share_breaches(self) -> pd.DataFrame:
        """Units over their limit in a cohort, or in cohorts on campus at the same time: empty for every
        plan ``plan_cohorts`` makes (``cohort`` names the cohorts, e.g. ``"2+3"``)."""
        counts = self.unit_counts
        rows = [counts[counts["in_post"] > counts["limit"]].assign(cohort=lambda f: f["cohort"].astype(str))]
        for group in self.overlapping:
            together = counts[counts["cohort"].isin(group)].groupby("unit", sort=True)
            summed = together.agg(in_post=("in_post", "sum"), limit=("limit", "first")).reset_index()
            over = summed[summed["in_post"] > summed["limit"]]
            rows.append(over.assign(cohort="+".join(map(str, group))))
        return pd.concat(rows, ignore_index=True)


def _unit_limits(supervisors: np.ndarray, share: Decimal) -> np.ndarray:
    """floor(share x supervisors), at least 1 (exact: the share as a fraction of integers)."""
    numerator, denominator = share.as_integer_ratio()
    return np.maximum(supervisors * numerator // denominator, 1)


def plan_cohorts(
    backlog: pd.DataFrame,
    rules: PlanningRules,
    template: Template,
    start_dates: Sequence[date],
    *,
    extra_days_off: Iterable[date] = (),
    first_number: int = 1,
) -> Plan:
    """Seat the backlog in priority order in cohorts starting on ``start_dates``.

    At most min(len(start_dates), rules.cohorts_per_year) cohorts of at most ``rules.capacity``.
    Each person takes the first cohort with a free seat where, for someone in post, their unit is
    still under its limit (floor(max_unit_share x the unit's pengawas, ``unit_supervisors``), at least
    1); otherwise they try the next cohort. Nobody is seated twice; the order is kept otherwise.
    Those left over are ``unplaced`` with reason ``capacity`` (every cohort was full by their turn)
    or ``unit_share`` (a seat was free, but not in a cohort where their unit had room). Cohorts left
    empty are dropped (they can only be the last ones). End dates come from the template calendar
    with public holidays plus ``extra_days_off``.
    """
    frame = backlog
    if "priority" in frame:
        frame = frame.iloc[np.argsort(frame["priority"].to_numpy(), kind="stable")]
    frame = frame.reset_index(drop=True)
    n = len(frame)
    starts = list(start_dates)[: rules.cohorts_per_year]
    k_max, capacity = len(starts), rules.capacity

    in_post = frame["in_post"].to_numpy(dtype=bool)
    units = frame["unit"].astype(object).where(frame["unit"].notna(), "")
    codes, uniques = pd.factorize(units)
    if "unit_supervisors" in frame:
        supervisors = frame["unit_supervisors"].to_numpy(dtype=np.int64)
        per_unit = np.zeros(len(uniques), dtype=np.int64)
        np.maximum.at(per_unit, codes, supervisors)
    else:
        per_unit = np.bincount(codes[in_post], minlength=len(uniques)).astype(np.int64)
    # A backlog row in post is a pengawas of its unit, whatever the roster count said.
    per_unit = np.maximum(per_unit, np.bincount(codes[in_post], minlength=len(uniques)))
    limit = _unit_limits(per_unit, rules.max_unit_share)

    # The j-th in-post person of a unit (in priority order) cannot be seated once j >= cohorts x limit:
    # every cohort already holds the unit's limit, or an earlier colleague found none (and so will they).
    # Only the others go through the loop below, which stops as soon as every cohort is full.
    nth_of_unit = pd.Series(codes[in_post]).groupby(codes[in_post]).cumcount().to_numpy()
    hopeless = np.zeros(n, dtype=bool)
    hopeless[np.flatnonzero(in_post)] = nth_of_unit >= k_max * limit[codes[in_post]]

    off = set(extra_days_off)
    calendars = {
        start: build_calendar(template, start, days_off_for(template, start, off)) for start in dict.fromkeys(starts)
    }
    # Each constraint group: one cohort alone, or cohorts on campus on the same day. A unit's in-post
    # members summed over a group stay within its limit: the unit never has more away at once.
    groups = _campus_groups(starts, {start: {s.date for s in cal.sessions} for start, cal in calendars.items()})
    groups_of = [[g for g, members in enumerate(groups) if k in members] for k in range(k_max)]
    away: list[dict[int, int]] = [{} for _ in groups]

    cohort = np.full(n, -1, dtype=np.int64)
    reason = np.full(n, None, dtype=object)
    fill = [0] * k_max
    next_open = [0] * len(uniques)  # per unit: no cohort before this one has room for it
    limits = limit.tolist()
    first_open = 0  # no cohort before this one has a free seat
    stop = n if k_max else 0  # rows from here on met only full cohorts
    tried = np.flatnonzero(~hopeless) if k_max else np.empty(0, dtype=np.int64)
    for i, posted, u in zip(tried.tolist(), in_post[tried].tolist(), codes[tried].tolist(), strict=True):
        k = first_open
        if posted:
            k = max(k, next_open[u])
            while k < k_max and (fill[k] >= capacity or any(away[g].get(u, 0) >= limits[u] for g in groups_of[k])):
                k += 1
            next_open[u] = k
            if k == k_max:
                reason[i] = UNPLACED_UNIT_SHARE
                continue
            for g in groups_of[k]:
                away[g][u] = away[g].get(u, 0) + 1
        cohort[i] = k
        fill[k] += 1
        while first_open < k_max and fill[first_open] >= capacity:
            first_open += 1
        if first_open == k_max:
            stop = i + 1
            break

    unseated = cohort < 0
    positions = np.arange(n)
    reason[unseated & (positions >= stop)] = UNPLACED_CAPACITY
    reason[hopeless & (positions < stop)] = UNPLACED_UNIT_SHARE

    seated = np.flatnonzero(~unseated)
    seated = seated[np.argsort(cohort[seated], kind="stable")]  # by cohort, priority order inside
    sizes = np.bincount(cohort[seated], minlength=k_max)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    everyone = frame.iloc[seated].reset_index(drop=True)
    everyone.insert(0, "seat", np.arange(1, len(seated) + 1) - np.repeat(bounds[:-1], sizes))
    everyone.insert(0, "cohort", first_number + cohort[seated])
    planned: list[PlannedCohort] = []
    for k in np.flatnonzero(sizes).tolist():
        start = starts[k]
        members = everyone.iloc[bounds[k] : bounds[k + 1]].reset_index(drop=True)
        planned.append(PlannedCohort(first_number + k, start, calendars[start].end_date, members))

    unplaced = frame.iloc[np.flatnonzero(unseated)].reset_index(drop=True)
    unplaced["reason"] = reason[unseated]

    seated_codes = codes[seated]
    counted = pd.DataFrame(
        {"cohort": first_number + cohort[seated], "unit_code": seated_codes, "in_post": in_post[seated]}
    )
    unit_counts = (
        counted.groupby(["cohort", "unit_code"], sort=True)
        .agg(members=("in_post", "size"), in_post=("in_post", "sum"))
        .reset_index()
    )
    unit_counts["unit"] = np.asarray(uniques, dtype=object)[unit_counts["unit_code"].to_numpy(dtype=np.int64)]
    unit_counts["supervisors"] = per_unit[unit_counts["unit_code"].to_numpy(dtype=np.int64)]
    unit_counts["limit"] = limit[unit_counts["unit_code"].to_numpy(dtype=np.int64)]
    unit_counts["in_post"] = unit_counts["in_post"].astype(np.int64)
    unit_counts = unit_counts[["cohort", "unit", "members", "in_post", "supervisors", "limit"]]

    unused = len(start_dates) - len(starts)
    kept = {first_number + k for k in np.flatnonzero(sizes).tolist()}
    overlapping = tuple(
        numbers
        for members in groups
        if len(members) > 1
        and len(numbers := tuple(first_number + k for k in sorted(members) if first_number + k in kept)) > 1
    )
    return Plan(planned, unplaced, unit_counts, capacity, rules.max_unit_share, unused, overlapping)


def _campus_groups(starts: Sequence[date], days: Mapping[date, set[date]]) -> list[frozenset[int]]:
    """The sets of cohorts on campus together on some day (only the largest such sets: a set inside
    another adds no constraint), and every cohort on its own that never shares a day.

    Worked out per start date, not per cohort: a national intake has thousands of cohorts on a few dates.
    """
    by_start: dict[date, list[int]] = {}
    for k, start in enumerate(starts):
        by_start.setdefault(start, []).append(k)
    together = (
        {frozenset(start for start in by_start if day in days[start]) for day in set().union(*days.values())}
        if days
        else set()
    )
    maximal = [g for g in together if not any(g < other for other in together)]
    groups = [frozenset(k for start in g for k in by_start[start]) for g in maximal]
    covered = set().union(*groups) if groups else set()
    groups += [frozenset({k}) for k in range(len(starts)) if k not in covered]
    return sorted(groups, key=lambda g: (len(g), sorted(g)))
