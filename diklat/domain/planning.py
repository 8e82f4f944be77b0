"""Next year's cohorts from the whole personnel roster: who is still waiting, in what order, and when.

PKP.md (Kota Jambi 2022): "about 200 officials have not yet had the chance to attend, many of them
already in the post"; the agency wants enough cohorts next year to cover them. Three steps, each pure:

1. ``eligible_backlog``: screen the roster (rank, position type, already trained, retirement age) and
   put the rest in a deterministic priority order that each row explains in ``why``.
2. ``cohort_windows``: start dates in the year whose classical phases do not clash on campus.
3. ``plan_cohorts``: fill those cohorts in priority order without taking too many of one unit's
   supervisors away at once.

Everything works on whole columns (numpy/pandas), so a national roster of a million rows takes
seconds. The as-of date is always a parameter: these rules never read the clock.

ASSUMPTIONS (no public source fixed them; see PKP.md):
- Candidates: PKP is for those who hold or are about to hold a pengawas post; staff in pelaksana or
  fungsional posts at the template's minimum rank are the candidates (``schemas.planning.CANDIDATE_TYPES``).
  Administrators and higher posts are out: their posts need other training (PKA, PKN).
- Retirement: a person leaves the backlog on the day they reach ``rules.retirement_age`` (58, the
  retirement age of administrative posts), counted from the birth date in the NIP.
- One classroom: the campus holds one cohort's classical phase at a time, with ``gap_days`` free days
  between two classical phases. The workplace phase (60 days at the participant's office) does not
  use the campus, so another cohort may sit its classical phase meanwhile.
- Unit share: within one cohort, the in-post participants from one unit are at most
  floor(``max_unit_share`` x that unit's pengawas on the roster), and at least 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from diklat.domain.calendar import build_calendar, days_off_for, is_working_day
from diklat.domain.golongan import GOLONGAN, normalize_golongan
from schemas.planning import (
    CANDIDATE_TYPES,
    IN_POST_TYPE,
    POSITION_TYPES,
    TRAINED_VALUES,
    PlanningRules,
)
from schemas.template import Template

DAY = timedelta(days=1)
_RANK = {code: i for i, code in enumerate(GOLONGAN)}
_NIP_DIGITS = 18
# 365.25 days a year = 1461 days per 4 years: years = days * 4 / 1461, exact in integers.
_DAYS_PER_4_YEARS = 1461

# Why a roster row is not in the backlog, first matching reason wins (codes; the caller labels them).
EXCLUDED_NIP = "nip_invalid"
EXCLUDED_DUPLICATE = "duplicate"
EXCLUDED_RANK_UNKNOWN = "rank_unknown"
EXCLUDED_RANK = "rank_below_minimum"
EXCLUDED_POSITION = "position_type"
EXCLUDED_TRAINED = "trained"
EXCLUDED_RETIRED = "retired"

# Why a backlog row got no seat.
UNPLACED_CAPACITY = "capacity"
UNPLACED_UNIT_SHARE = "unit_share"

BACKLOG_COLUMNS = (
    "nip",
    "name",
    "golongan",
    "unit",
    "position",
    "position_type",
    "appointed",
    "in_post",
    "days_in_post",
    "years_in_post",
    "retirement_date",
    "days_to_retirement",
    "years_to_retirement",
    "rank_index",
    "unit_supervisors",
    "priority",
    "why",
)


# --- column helpers ----------------------------------------------------------------------------


def _map_unique(values: pd.Series, *funcs: Callable[[object], object]) -> list[np.ndarray]:
    """Each ``func`` applied once per distinct value (rosters repeat a few ranks and types a lot)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    out = []
    for func in funcs:
        mapped = np.empty(len(uniques) + 1, dtype=object)
        mapped[:-1] = [func(u) for u in uniques]
        mapped[-1] = func(None)  # code -1 (missing) indexes the last slot
        out.append(mapped[codes])
    return out


def _rank(raw: object) -> int:
    """Rank index I/a = 0 … IV/e = 16 of a cell as written, -1 when unrecognised."""
    code = normalize_golongan(raw)
    return -1 if code is None else _RANK[code]


def _position_type(raw: object) -> str | None:
    """``JENIS JABATAN`` as written -> stored type (schemas.planning.POSITION_TYPES); None if unknown."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None
    return POSITION_TYPES.get(" ".join(str(raw).casefold().split()))


def _trained(raw: object) -> bool | None:
    """``SUDAH PKP``: True/False as given, text through TRAINED_VALUES, None when unknown or empty."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw):
        return None
    if isinstance(raw, bool | np.bool_):
        return bool(raw)
    if isinstance(raw, int | np.integer) and raw in (0, 1):
        return bool(raw)
    return TRAINED_VALUES.get(str(raw).strip().casefold())


def _days(values: pd.Series) -> np.ndarray:
    """Dates (date objects, datetime64 or ISO text) as int days since 1970; missing -> NaT as int min."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        parsed = pd.to_datetime(pd.Series(uniques, dtype=object), errors="coerce")
        days = np.append(parsed.to_numpy("datetime64[D]"), np.datetime64("NaT"))[codes]
    else:
        days = values.to_numpy("datetime64[D]")
    return days.astype(np.int64)


_NAT = np.datetime64("NaT").astype(np.int64)


def _nip_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(valid, number): a NIP is 18 ASCII digits with a real birth date (Perka BKN 22/2007)."""
    # One more character than a NIP: longer text keeps a character there and fails, like shorter text.
    text = np.asarray(values.to_numpy(dtype=object), dtype=f"U{_NIP_DIGITS + 1}")
    chars = text.view(np.uint32).reshape(len(text), _NIP_DIGITS + 1)
    digits = chars[:, :_NIP_DIGITS] - np.uint32(ord("0"))  # below "0" wraps around to a large number
    valid = (chars[:, _NIP_DIGITS] == 0) & (digits < 10).all(axis=1)
    number = np.zeros(len(text), dtype=np.int64)
    for position in range(_NIP_DIGITS):  # 18 column operations beat an integer matrix product
        number = number * 10 + digits[:, position]
    number = np.where(valid, number, 0)
    born = number // 10**10
    month, day = born // 100 % 100, born % 100
    year = born // 10000
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] + (
        (month == 2) & leap
    )
    valid &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (year >= 1900)
    return valid, number


def _birthday_at(number: np.ndarray, age: int) -> np.ndarray:
    """Day (int days since 1970) each NIP's holder turns ``age``; 29 February turns it on 1 March."""
    born = number // 10**10
    year, month, day = born // 10000 + age, born // 100 % 100, born % 100
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    return (months.astype("datetime64[D]").astype(np.int64) + day - 1).astype(np.int64)


def _hundredths_of_years(days: np.ndarray, places: int) -> np.ndarray:
    """days / 365.25 in units of 10**-places years, rounded half up (exact integer arithmetic)."""
    scale = 4 * 10**places
    return (days * scale * 2 + _DAYS_PER_4_YEARS) // (2 * _DAYS_PER_4_YEARS)


def _decimals(units: np.ndarray, places: int) -> np.ndarray:
    """Integers in units of 10**-places as Decimal objects, built once per distinct value."""
    distinct, inverse = np.unique(units, return_inverse=True)
    made = np.array([Decimal(int(v)).scaleb(-places) for v in distinct] + [None], dtype=object)
    return made[inverse.reshape(-1)]


# --- 1. the backlog ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Screen:
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


def _screen(
    people: pd.DataFrame, trained_nips: Iterable[str], rules: PlanningRules, template: Template, as_of: date
) -> _Screen:
    """Read every roster row once, whole columns at a time; distinct values are parsed only once."""
    n = len(people)
    valid, number = _nip_numbers(people["nip"])
    # Invalid rows get distinct negative stand-ins (never NaN: a float cannot hold 18 digits exactly).
    keys = np.where(valid, number, -np.arange(1, n + 1, dtype=np.int64))
    duplicate = pd.Series(keys).duplicated(keep="first").to_numpy()

    golongan, rank = _map_unique(people["golongan"], normalize_golongan, _rank)
    rank = rank.astype(np.int64)
    (kind,) = _map_unique(people["position_type"], _position_type)
    in_post = kind == IN_POST_TYPE
    candidate = np.isin(kind.astype(str), CANDIDATE_TYPES)

    flag = _map_unique(people["trained"], _trained)[0] if "trained" in people else np.full(n, None, dtype=object)
    own_graduates = [int(t) for t in (str(x).strip() for x in trained_nips) if len(t) == _NIP_DIGITS and t.isdigit()]
    graduate = valid & np.isin(number, np.array(own_graduates, dtype=np.int64))
    trained = (flag == True) | graduate  # noqa: E712 - elementwise on an object array of True/False/None

    retirement = np.where(valid, _birthday_at(number, rules.retirement_age), 0)
    today = np.datetime64(as_of, "D").astype(np.int64)
    retired = valid & (retirement <= today)

    conditions = [
        ~valid,
        duplicate,
        rank < 0,
        rank < _RANK[template.minimum_golongan],
        ~(in_post | candidate),
        trained,
        retired,
    ]
    choices = [
        EXCLUDED_NIP,
        EXCLUDED_DUPLICATE,
        EXCLUDED_RANK_UNKNOWN,
        EXCLUDED_RANK,
        EXCLUDED_POSITION,
        EXCLUDED_TRAINED,
        EXCLUDED_RETIRED,
    ]
    reason = np.select(conditions, np.array(choices, dtype=object), default=None)

    # Every pengawas on the roster (trained or not) counts for the unit-share limit: the unit's
    # work is done by all of them, the limit keeps enough at their desks.
    serving = in_post & valid & ~duplicate
    units = people["unit"].astype(object).where(people["unit"].notna(), "")
    per_unit = units[serving].value_counts()
    unit_supervisors = units.map(per_unit).fillna(0).astype(np.int64).to_numpy()
    return _Screen(
        reason=reason,
        nip_number=number,
        golongan=golongan,
        rank=rank,
        position_type=kind,
        in_post=in_post,
        appointed=_days(people["appointed"]),
        retirement=retirement,
        unit_supervisors=unit_supervisors,
    )


def exclusion_reasons(
    people: pd.DataFrame, trained_nips: Iterable[str], rules: PlanningRules, template: Template, as_of: date
) -> pd.Series:
    """Why each roster row is not in the backlog (a code, see EXCLUDED_*), None for the eligible."""
    return pd.Series(_screen(people, trained_nips, rules, template, as_of).reason, index=people.index, dtype=object)


def eligible_backlog(
    people: pd.DataFrame, trained_nips: Iterable[str], rules: PlanningRules, template: Template, as_of: date
) -> pd.DataFrame:
    """The officials still waiting for PKP, in priority order (``priority`` 1..N), each with ``why``.

    ``people`` is the normalised personnel roster (canonical columns of ``schemas.planning.PERSONNEL``:
    nip, name, golongan, position, position_type, unit, appointed, trained). Eligible: a valid NIP
    (first row of a repeated NIP), rank at least ``template.minimum_golongan``, a pengawas (in post)
    or a pelaksana/fungsional candidate, not trained (neither in ``trained_nips``, diklat's own
    graduates, nor marked trained on the roster), and below ``rules.retirement_age`` at ``as_of``.

    Order: ``rules.priority`` keys in turn (see ``schemas.planning.PRIORITY_KEYS``), NIP last.
    ``days_in_post`` counts from TMT JABATAN for those in post (0 for candidates and for a missing
    TMT); ``years_*`` are the same spans as Decimal years (365.25 days) rounded half up to 2 places.
    ``why`` lists the deciding values in priority order, e.g.
    ``in_post; 6.2 years in post; 12.5 years to retirement; III/c`` (codes, the caller labels them).
    """
    s = _screen(people, trained_nips, rules, template, as_of)
    keep = np.flatnonzero(s.reason == None)  # noqa: E711 - elementwise on an object array
    today = np.datetime64(as_of, "D").astype(np.int64)

    in_post = s.in_post[keep]
    appointed = s.appointed[keep]
    known_tmt = appointed != _NAT
    days_in_post = np.where(in_post & known_tmt, np.maximum(today - appointed, 0), 0)
    days_to_retirement = s.retirement[keep] - today
    rank = s.rank[keep]

    sort_keys = {
        "in_post": ~in_post,
        "time_in_post": -days_in_post,
        "time_to_retirement": days_to_retirement,
        "rank": -rank,
    }
    order = np.lexsort((s.nip_number[keep], *(sort_keys[k] for k in reversed(rules.priority))))
    rows = keep[order]
    in_post, days_in_post, days_to_retirement = in_post[order], days_in_post[order], days_to_retirement[order]
    known_tmt, rank = known_tmt[order], rank[order]
    golongan = s.golongan[rows]
    kind = s.position_type[rows]

    source = people.iloc[rows]
    out = pd.DataFrame(
        {
            "nip": source["nip"].to_numpy(dtype=object),  # valid NIPs are exactly 18 digits already
            "name": source["name"].to_numpy(dtype=object),
            "golongan": golongan,
            "unit": source["unit"].to_numpy(dtype=object),
            "position": source["position"].to_numpy(dtype=object),
            "position_type": kind,
            "appointed": source["appointed"].to_numpy(),
            "in_post": in_post,
            "days_in_post": days_in_post,
            "years_in_post": _decimals(_hundredths_of_years(days_in_post, 2), 2),
            "retirement_date": s.retirement[rows].astype("datetime64[D]"),
            "days_to_retirement": days_to_retirement,
            "years_to_retirement": _decimals(_hundredths_of_years(days_to_retirement, 2), 2),
            "rank_index": rank,
            "unit_supervisors": s.unit_supervisors[rows],
            "priority": np.arange(1, len(rows) + 1, dtype=np.int64),
        },
        columns=BACKLOG_COLUMNS[:-1],
    )
    out["why"] = _why(rules.priority, in_post, kind, days_in_post, known_tmt, days_to_retirement, rank)
    return out


def _why(
    priority: Sequence[str],
    in_post: np.ndarray,
    kind: np.ndarray,
    days_in_post: np.ndarray,
    known_tmt: np.ndarray,
    days_to_retirement: np.ndarray,
    rank: np.ndarray,
) -> np.ndarray:
    """One short code string per row: the values of the priority keys, in priority order.

    Each key gives (code per row, label per code); the strings are built once per distinct
    combination of codes, which is far fewer than the rows of a national roster.
    """
    n = len(in_post)
    if not priority or not n:
        return np.full(n, "nip", dtype=object)

    def tenths(values: np.ndarray, label: str, special: dict[int, str]) -> tuple[np.ndarray, list[str]]:
        distinct, inverse = np.unique(values, return_inverse=True)
        labels = [special.get(int(v)) or label.format(f"{v // 10}.{v % 10}") for v in distinct]
        return inverse.reshape(-1), labels

    def kind_part() -> tuple[np.ndarray, list[str]]:
        codes, uniques = pd.factorize(kind)
        return codes, [("in_post" if k == IN_POST_TYPE else f"candidate {k}") for k in uniques]

    parts: dict[str, Callable[[], tuple[np.ndarray, list[str]]]] = {
        "in_post": kind_part,
        "time_in_post": lambda: tenths(
            np.where(in_post, np.where(known_tmt, _hundredths_of_years(days_in_post, 1), -1), -2),
            "{} years in post",
            {-1: "TMT unknown", -2: "not in post"},
        ),
        "time_to_retirement": lambda: tenths(_hundredths_of_years(days_to_retirement, 1), "{} years to retirement", {}),
        "rank": lambda: (rank, list(GOLONGAN)),
    }
    built = [parts[key]() for key in priority]
    key = np.zeros(n, dtype=np.int64)
    for codes, labels in built:
        key = key * len(labels) + codes
    combos, inverse = np.unique(key, return_inverse=True)
    decoded = []
    rest = combos
    for _, labels in reversed(built):
        rest, code = np.divmod(rest, len(labels))
        decoded.append([labels[c] for c in code.tolist()])
    made = np.array(["; ".join(words) for words in zip(*reversed(decoded), strict=True)], dtype=object)
    return made[inverse.reshape(-1)]


# --- 2. the windows ----------------------------------------------------------------------------


def classical_spans(template: Template, start: date, days_off: set[date]) -> list[tuple[date, date]]:
    """First and last day of each classical phase of a cohort starting on ``start`` (what blocks the campus)."""
    calendar = build_calendar(template, start, days_off)
    return [(p.first_day, p.last_day) for p in calendar.phases if p.kind == "classical"]


def _clash(a: tuple[date, date], b: tuple[date, date], gap_days: int) -> bool:
    """True when fewer than ``gap_days`` free days separate the two spans (or they overlap)."""
    gap = gap_days * DAY
    return a[0] <= b[1] + gap and b[0] <= a[1] + gap


def cohorts_needed(backlog: int, rules: PlanningRules) -> int:
    """Cohorts to propose: enough seats for the whole backlog, at most what the agency can run a year."""
    return min(rules.cohorts_per_year, -(-backlog // rules.capacity)) if backlog else 0


def cohort_windows(
    template: Template,
    year: int,
    count: int,
    days_off: Iterable[date],
    avoid: Sequence[tuple[date, date]] = (),
    earliest: date | None = None,
    gap_days: int = 7,
) -> list[tuple[date, date]]:
    """Up to ``count`` cohorts as (start, end) in ``year``, earliest first, that all end by 31 December.

    ``days_off``: public holidays and the agency's days off of ``year`` and the next (e.g.
    ``days_off_for(template, date(year, 1, 1), extra)``). ``avoid``: the classical spans (first, last
    day) of cohorts already running or planned (``classical_spans``). A start is a working day on or
    after ``earliest`` (default 2 January) and its classical phases keep ``gap_days`` free days from
    every other classical phase (ASSUMPTION: one classroom). Greedy: the earliest start that fits is
    taken, then the next. Fewer than ``count`` come back when the year has no room for more; the
    caller reports the shortfall.
    """
    off = set(days_off)
    last = date(year, 12, 31)
    day = date(year, 1, 2) if earliest is None else max(earliest, date(year, 1, 1))
    blocked = [(a, b) for a, b in avoid]
    windows: list[tuple[date, date]] = []
    while day <= last and len(windows) < count:
        if is_working_day(day, off):
            calendar = build_calendar(template, day, off)
            if calendar.end_date > last:
                break  # a later start ends later still
            spans = [(p.first_day, p.last_day) for p in calendar.phases if p.kind == "classical"]
            if not any(_clash(span, other, gap_days) for span in spans for other in blocked):
                windows.append((day, calendar.end_date))
                blocked.extend(spans)
        day += DAY
    return windows


# --- 3. the plan -------------------------------------------------------------------------------


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

    @property
    def placed(self) -> int:
        return sum(len(c.members) for c in self.cohorts)

    def unit_share_breaches(self) -> pd.DataFrame:
        """Rows of ``unit_counts`` over the limit: empty for every plan ``plan_cohorts`` makes."""
        return self.unit_counts[self.unit_counts["in_post"] > self.unit_counts["limit"]]


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

    cohort = np.full(n, -1, dtype=np.int64)
    reason = np.full(n, None, dtype=object)
    fill = [0] * k_max
    counts: list[dict[int, int]] = [{} for _ in range(k_max)]
    next_open = [0] * len(uniques)  # per unit: no cohort before this one has room for it
    limits = limit.tolist()
    first_open = 0  # no cohort before this one has a free seat
    stop = n if k_max else 0  # rows from here on met only full cohorts
    tried = np.flatnonzero(~hopeless) if k_max else np.empty(0, dtype=np.int64)
    for i, posted, u in zip(tried.tolist(), in_post[tried].tolist(), codes[tried].tolist(), strict=True):
        k = first_open
        if posted:
            k = max(k, next_open[u])
            while k < k_max and (fill[k] >= capacity or counts[k].get(u, 0) >= limits[u]):
                k += 1
            next_open[u] = k
            if k == k_max:
                reason[i] = UNPLACED_UNIT_SHARE
                continue
            counts[k][u] = counts[k].get(u, 0) + 1
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
    off = set(extra_days_off)
    ends: dict[date, date] = {}
    planned: list[PlannedCohort] = []
    for k in np.flatnonzero(sizes).tolist():
        start = starts[k]
        if start not in ends:
            ends[start] = build_calendar(template, start, days_off_for(template, start, off)).end_date
        members = everyone.iloc[bounds[k] : bounds[k + 1]].reset_index(drop=True)
        planned.append(PlannedCohort(first_number + k, start, ends[start], members))

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
    return Plan(planned, unplaced, unit_counts, capacity, rules.max_unit_share, unused)
