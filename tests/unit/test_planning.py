"""Next year's planning: the backlog of officials still waiting for PKP, its order, windows and cohorts."""

from __future__ import annotations

import dataclasses
import math
import resource
import time
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from diklat.domain.calendar import build_calendar, days_off_for, is_working_day
from diklat.domain.golongan import normalize_golongan, rank_index
from diklat.domain.nip import parse_nip
from diklat.domain.planning import (
    EXCLUDED_DUPLICATE,
    EXCLUDED_ENROLLED,
    EXCLUDED_NIP,
    EXCLUDED_POSITION,
    EXCLUDED_RANK,
    EXCLUDED_RANK_UNKNOWN,
    EXCLUDED_RETIRED,
    EXCLUDED_TRAINED,
    UNPLACED_CAPACITY,
    UNPLACED_UNIT_SHARE,
    classical_spans,
    cohort_windows,
    cohorts_needed,
    eligible_backlog,
    exclusion_reasons,
    plan_cohorts,
    start_dates,
)
from diklat.io.headers import match_headers
from diklat.synth.personnel import city_roster, personnel_frame
from diklat.templates import resolve_template
from schemas.files import PERSONNEL
from schemas.planning import TRAINED_VALUES, PlanningRules

pytestmark = pytest.mark.unit

TEMPLATE = resolve_template("PKP@2019.1")
AS_OF = date(2025, 1, 2)
RULES = PlanningRules(year=2025, cohorts_per_year=12)
# Twelve start dates whose classical phases never share a day (one classroom): each cohort on its own
# holds a unit to its share. Cohorts on campus together share the limit (tested on its own below).
ONE_ROOM = start_dates(RULES, TEMPLATE, 12, classrooms=1, years=10)


def _normalise(raw: pd.DataFrame) -> pd.DataFrame:
    """The personnel export as planning reads it: canonical headers, ranks, dates and yes/no flags."""
    frame = raw.rename(columns=match_headers(list(raw.columns), PERSONNEL, "personnel.xlsx"))
    ranks = {value: normalize_golongan(value) for value in frame["golongan"].unique()}
    frame["golongan"] = frame["golongan"].map(ranks)
    frame["appointed"] = pd.to_datetime(frame["appointed"], errors="coerce").dt.date
    frame["trained"] = frame["trained"].astype(str).str.strip().str.lower().map(TRAINED_VALUES)
    return frame


def _age(nip: str, on: date) -> int:
    born = parse_nip(nip).birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _nip(born: date, seq: int, tmt: str = "200501", gender: int = 1) -> str:
    return f"{born:%Y%m%d}{tmt}{gender}{seq:03d}"


def _person(nip: str, **values: object) -> dict[str, object]:
    row = {
        "nip": nip,
        "name": f"Pegawai {nip[-3:]}",
        "golongan": "III/b",
        "position": "Kepala Seksi",
        "position_type": "pengawas",
        "unit": "Dinas A",
        "appointed": date(2020, 1, 2),
        "trained": False,
    }
    return row | values


# --- the city's backlog, end to end -------------------------------------------------------------


def _city_roster() -> tuple[pd.DataFrame, set[str], set[str]]:
    roster = city_roster(AS_OF)
    return roster.frame, roster.graduates, roster.expected


def test_a_generated_city_roster_with_200_untrained_eligible_officials_half_in_post_yields_a_backlog_of_exactly_those_200_in_post_first_and_a_plan_of_7_cohorts_within_the_unit_share_limit() -> (  # noqa: E501
    None
):
    export, graduates, expected = _city_roster()
    people = _normalise(export)

    backlog = eligible_backlog(people, graduates, RULES, TEMPLATE, AS_OF)

    assert set(backlog["nip"]) == expected and len(backlog) == 200
    assert backlog["in_post"].tolist() == [True] * 100 + [False] * 100
    assert backlog["priority"].tolist() == list(range(1, 201))
    reasons = exclusion_reasons(people, graduates, RULES, TEMPLATE, AS_OF).value_counts()
    assert reasons.to_dict() == {EXCLUDED_TRAINED: 70, EXCLUDED_RANK: 50, EXCLUDED_POSITION: 15, EXCLUDED_RETIRED: 10}

    plan = plan_cohorts(backlog, RULES, TEMPLATE, ONE_ROOM)

    assert len(plan.cohorts) == math.ceil(200 / 30) == 7
    assert [c.number for c in plan.cohorts] == list(range(1, 8))
    assert all(len(c.members) <= 30 for c in plan.cohorts)
    seated = pd.concat([c.members for c in plan.cohorts])
    assert seated["nip"].is_unique and set(seated["nip"]) == expected and plan.unplaced.empty
    assert plan.unit_share_breaches().empty
    assert (plan.unit_counts["in_post"] == plan.unit_counts["limit"]).any()  # the limit did bite
    for cohort in plan.cohorts:  # the limit recounted from the members, not from the plan's own table
        posted = cohort.members[cohort.members["in_post"]]
        per_unit = posted.groupby("unit").size()
        roster_pengawas = people[people["position_type"] == "pengawas"].groupby("unit").size()
        limit = np.maximum((roster_pengawas[per_unit.index] * Decimal("0.5")).map(math.floor), 1)
        assert (per_unit <= limit).all()
        assert cohort.members["seat"].tolist() == list(range(1, len(cohort.members) + 1))
        assert cohort.end == build_calendar(TEMPLATE, cohort.start, days_off_for(TEMPLATE, cohort.start)).end_date
    assert plan.unit_counts.groupby("cohort")["members"].sum().tolist() == [len(c.members) for c in plan.cohorts]


# --- order ----------------------------------------------------------------------------------------


def _order_frame() -> pd.DataFrame:
    """One row per tie-break: each differs from B in exactly one priority key."""
    rows = [
        _person(_nip(date(1980, 5, 1), 1), name="B", appointed=date(2021, 1, 4)),
        _person(_nip(date(1980, 5, 1), 2), name="E", appointed=date(2021, 1, 4)),  # B's twin, later NIP
        _person(_nip(date(1980, 5, 1), 3), name="D", appointed=date(2021, 1, 4), golongan="III/d"),
        _person(_nip(date(1975, 5, 1), 4), name="C", appointed=date(2021, 1, 4)),  # retires sooner
        _person(_nip(date(1980, 5, 1), 5), name="A", appointed=date(2019, 1, 4)),  # longer in post
        _person(_nip(date(1970, 5, 1), 6), name="F", position_type="pelaksana", golongan="IV/a"),
    ]
    return pd.DataFrame(rows)


def test_the_backlog_puts_in_post_first_then_longer_in_post_then_sooner_retiring_then_higher_rank_then_nip() -> None:
    backlog = eligible_backlog(_order_frame(), set(), RULES, TEMPLATE, AS_OF)
    assert backlog["name"].tolist() == ["A", "C", "D", "B", "E", "F"]
    assert backlog["priority"].tolist() == [1, 2, 3, 4, 5, 6]


def test_the_priority_order_is_configurable() -> None:
    rules = RULES.model_copy(update={"priority": ("rank", "in_post")})
    backlog = eligible_backlog(_order_frame(), set(), rules, TEMPLATE, AS_OF)
    # F (IV/a, candidate) first, then D (III/d); the III/b ties fall back to NIP order (C born 1975).
    assert backlog["name"].tolist() == ["F", "D", "C", "B", "E", "A"]
    assert backlog["why"].tolist()[:2] == ["IV/a; candidate pelaksana", "III/d; in_post"]


def test_planning_rules_refuse_a_repeated_or_unknown_priority_key() -> None:
    with pytest.raises(ValidationError):
        PlanningRules(year=2025, cohorts_per_year=2, priority=("rank", "rank"))
    with pytest.raises(ValidationError):
        PlanningRules(year=2025, cohorts_per_year=2, priority=("age",))


# --- screening ------------------------------------------------------------------------------------


def test_an_official_leaves_the_backlog_on_the_day_they_turn_58() -> None:
    people = pd.DataFrame(
        [
            _person(_nip(date(1967, 1, 2), 1), name="turns 58 today"),
            _person(_nip(date(1967, 1, 3), 2), name="turns 58 tomorrow"),
            _person(_nip(date(1966, 12, 31), 3), name="58 since new year's eve"),
        ]
    )
    backlog = eligible_backlog(people, set(), RULES, TEMPLATE, AS_OF)
    assert backlog["name"].tolist() == ["turns 58 tomorrow"]
    assert backlog["days_to_retirement"].tolist() == [1]
    reasons = exclusion_reasons(people, set(), RULES, TEMPLATE, AS_OF).tolist()
    assert reasons == [EXCLUDED_RETIRED, None, EXCLUDED_RETIRED]
    assert len(eligible_backlog(people, set(), RULES.model_copy(update={"retirement_age": 60}), TEMPLATE, AS_OF)) == 3


def test_someone_born_on_29_february_reaches_58_on_1_march() -> None:
    people = pd.DataFrame([_person(_nip(date(1968, 2, 29), 1))])
    assert len(eligible_backlog(people, set(), RULES, TEMPLATE, date(2026, 2, 28))) == 1
    assert eligible_backlog(people, set(), RULES, TEMPLATE, date(2026, 2, 28))["retirement_date"].iloc[0] == (
        pd.Timestamp("2026-03-01")
    )
    assert eligible_backlog(people, set(), RULES, TEMPLATE, date(2026, 3, 1)).empty


def test_every_row_left_out_of_the_backlog_says_why() -> None:
    born = date(1980, 5, 1)
    people = pd.DataFrame(
        [
            _person("19800501 200501 1 001"),  # separators: a normalised roster never has them
            _person(_nip(born, 2)),
            _person(_nip(born, 2), name="twice"),
            _person(_nip(born, 3), golongan=None),
            _person(_nip(born, 4), golongan="II/d", position_type="pelaksana"),
            _person(_nip(born, 5), position_type="Administrator"),
            _person(_nip(born, 6), position_type="jabatan pimpinan tinggi"),
            _person(_nip(born, 7), position_type="honorer"),
            _person(_nip(born, 8), trained=True),
            _person(_nip(born, 9), trained=None),  # unknown flag: still waiting
            _person(_nip(born, 10)),  # graduated from a diklat cohort, flag not updated
            _person(_nip(born, 11), position_type="Eselon IV", golongan="Penata (III/c)"),
            _person("198002302005011012"),  # born 30 February
        ]
    )
    reasons = exclusion_reasons(people, {_nip(born, 10)}, RULES, TEMPLATE, AS_OF).tolist()
    assert reasons == [
        EXCLUDED_NIP,
        None,
        EXCLUDED_DUPLICATE,
        EXCLUDED_RANK_UNKNOWN,
        EXCLUDED_RANK,
        EXCLUDED_POSITION,
        EXCLUDED_POSITION,
        EXCLUDED_POSITION,
        EXCLUDED_TRAINED,
        None,
        EXCLUDED_TRAINED,
        None,
        EXCLUDED_NIP,
    ]
    backlog = eligible_backlog(people, {_nip(born, 10)}, RULES, TEMPLATE, AS_OF)
    assert backlog["nip"].tolist() == [_nip(born, 11), _nip(born, 2), _nip(born, 9)]  # III/c outranks III/b
    assert backlog["golongan"].tolist() == ["III/c", "III/b", "III/b"]
    assert backlog["position_type"].tolist() == ["pengawas"] * 3


def test_roster_flags_are_read_as_yes_no_in_any_spelling() -> None:
    born = date(1980, 5, 1)
    flags = ["YA", "tidak", "Y", "n", 1, 0, "true", "FALSE", True, False, None, "sudah", "belum"]
    people = pd.DataFrame([_person(_nip(born, i + 1), trained=flag) for i, flag in enumerate(flags)])
    reasons = exclusion_reasons(people, set(), RULES, TEMPLATE, AS_OF).tolist()
    trained = [reason == EXCLUDED_TRAINED for reason in reasons]
    assert trained == [True, False, True, False, True, False, True, False, True, False, False, True, False]


# --- why ------------------------------------------------------------------------------------------


def test_each_backlog_row_says_why_it_stands_where_it_does() -> None:
    people = pd.DataFrame(
        [
            _person(_nip(date(1979, 7, 3), 1), golongan="III/c", appointed=date(2018, 10, 21)),
            _person(_nip(date(1997, 1, 2), 2, tmt="201901"), golongan="III/a", position_type="pelaksana"),
            _person(_nip(date(1979, 7, 3), 3), appointed=None),
        ]
    )
    backlog = eligible_backlog(people, set(), RULES, TEMPLATE, AS_OF)
    assert backlog["why"].tolist() == [
        "in_post; 6.2 years in post; 12.5 years to retirement; III/c",
        "in_post; TMT unknown; 12.5 years to retirement; III/b",
        "candidate pelaksana; not in post; 30.0 years to retirement; III/a",
    ]
    first = backlog.iloc[0]
    assert (first["days_in_post"], first["years_in_post"]) == (2265, Decimal("6.20"))
    assert (first["days_to_retirement"], first["years_to_retirement"]) == (4565, Decimal("12.50"))
    assert first["rank_index"] == rank_index("III/c") and bool(first["in_post"])
    assert backlog["years_in_post"].tolist()[1:] == [Decimal("0.00"), Decimal("0.00")]


# --- windows --------------------------------------------------------------------------------------


def test_cohort_windows_keep_the_classical_phases_clear_of_a_running_cohort_and_of_each_other() -> None:
    days_off = days_off_for(TEMPLATE, date(2025, 1, 1))
    running = classical_spans(TEMPLATE, date(2024, 11, 4), days_off_for(TEMPLATE, date(2024, 11, 4)))
    assert running[1] == (date(2025, 2, 10), date(2025, 2, 24))  # its second classical phase

    windows = cohort_windows(TEMPLATE, 2025, 10, days_off, avoid=running, gap_days=7)

    # One classroom: no room before the running cohort's February phase, then three fit, all ending
    # in 2025; the seven asked for beyond that are left for the caller to report.
    assert windows == [
        (date(2025, 3, 4), date(2025, 6, 23)),  # 7 free days after 24 February
        (date(2025, 4, 17), date(2025, 8, 11)),
        (date(2025, 8, 19), date(2025, 12, 8)),
    ]
    spans = [span for start, _ in windows for span in classical_spans(TEMPLATE, start, days_off)] + running
    for i, (first, last) in enumerate(spans):
        for other_first, other_last in spans[i + 1 :]:
            assert last + timedelta(days=7) < other_first or other_last + timedelta(days=7) < first


def test_a_cohort_never_starts_on_a_weekend_a_holiday_or_an_agency_day_off() -> None:
    days_off = days_off_for(TEMPLATE, date(2025, 1, 1))
    # 28 March 2025 is a Friday; 31 March and 1 April are Idul Fitri.
    assert {date(2025, 3, 31), date(2025, 4, 1)} <= days_off
    [(start, _)] = cohort_windows(TEMPLATE, 2025, 1, days_off, earliest=date(2025, 3, 29))
    assert start == date(2025, 4, 2)
    [(start, _)] = cohort_windows(TEMPLATE, 2025, 1, days_off | {date(2025, 4, 2)}, earliest=date(2025, 3, 29))
    assert start == date(2025, 4, 3) and is_working_day(start, days_off)


def test_without_an_earliest_date_planning_starts_on_2_january_and_never_runs_past_31_december() -> None:
    days_off = days_off_for(TEMPLATE, date(2025, 1, 1))
    windows = cohort_windows(TEMPLATE, 2025, 20, days_off, gap_days=0)
    assert windows[0][0] == date(2025, 1, 2)
    assert all(end <= date(2025, 12, 31) for _, end in windows)
    assert len(windows) < 20
    assert cohort_windows(TEMPLATE, 2025, 2, days_off, earliest=date(2025, 10, 1)) == []


def test_start_dates_fill_the_year_around_a_running_cohort_then_go_on_into_the_next_year() -> None:
    running = [(TEMPLATE, date(2024, 11, 4))]  # its classical phase until 24 February 2025 holds the room

    starts = start_dates(RULES, TEMPLATE, 5, running)

    # 2025 has room for three only (see the windows test above); the other two start early in 2026.
    assert starts[:3] == [date(2025, 3, 4), date(2025, 4, 17), date(2025, 8, 19)]
    assert len(starts) == 5 and all(start.year == 2026 for start in starts[3:])
    assert starts == sorted(starts)


def test_a_second_classroom_takes_the_cohort_the_first_has_no_room_for_this_year() -> None:
    running = [(TEMPLATE, date(2024, 11, 4))]
    one_room = start_dates(RULES, TEMPLATE, 4, running)
    two_rooms = start_dates(RULES, TEMPLATE, 4, running, classrooms=2)
    assert one_room[3].year == 2026
    # Room one is filled first (three in 2025); the fourth goes to the free room from 2 January.
    assert two_rooms == [date(2025, 1, 2), date(2025, 3, 4), date(2025, 4, 17), date(2025, 8, 19)]


def test_start_dates_asked_for_none_or_beyond_the_years_searched_stop() -> None:
    assert start_dates(RULES, TEMPLATE, 0) == []
    assert len(start_dates(RULES, TEMPLATE, 100, years=1)) < 100  # one year holds fewer than 100 cohorts


# --- the plan -------------------------------------------------------------------------------------


def _unit_frame() -> pd.DataFrame:
    """Dinas A: 4 pengawas waiting (limit 2 a cohort). Dinas B: 4 pengawas, 3 trained (limit 2).
    Dinas C: 1 pengawas (limit 1). Then 30 candidates."""
    rows = [
        _person(_nip(date(1980, 1, 1), i), name=f"A{i}", appointed=date(2015 + i, 1, 2), unit="Dinas A")
        for i in range(1, 5)
    ]
    rows += [_person(_nip(date(1981, 1, 1), 10), name="B1", unit="Dinas B", appointed=date(2016, 6, 1))]
    rows += [_person(_nip(date(1981, 1, 1), i), unit="Dinas B", trained=True) for i in range(11, 14)]
    rows += [_person(_nip(date(1982, 1, 1), 20), name="C1", unit="Dinas C", appointed=date(2017, 6, 1))]
    rows += [
        _person(_nip(date(1990, 1, 1), 100 + i), name=f"K{i:02d}", unit="Dinas A", position_type="fungsional")
        for i in range(30)
    ]
    return pd.DataFrame(rows)


def test_a_units_supervisors_beyond_its_share_wait_for_the_next_cohort_while_others_take_the_seats() -> None:
    backlog = eligible_backlog(_unit_frame(), set(), RULES, TEMPLATE, AS_OF)
    assert backlog["name"].tolist()[:6] == ["A1", "B1", "A2", "C1", "A3", "A4"]
    assert backlog.set_index("name").loc[["A1", "B1", "C1"], "unit_supervisors"].tolist() == [4, 4, 1]
    rules = RULES.model_copy(update={"capacity": 10})

    plan = plan_cohorts(backlog, rules, TEMPLATE, ONE_ROOM)

    first, second, third, fourth = plan.cohorts
    assert first.members["name"].tolist() == ["A1", "B1", "A2", "C1", *[f"K{i:02d}" for i in range(6)]]
    assert second.members["name"].tolist()[:2] == ["A3", "A4"]
    assert [len(c.members) for c in plan.cohorts] == [10, 10, 10, 6]
    assert plan.unit_share_breaches().empty
    counts = plan.unit_counts.set_index(["cohort", "unit"])
    assert counts.loc[(1, "Dinas A"), ["members", "in_post", "supervisors", "limit"]].tolist() == [8, 2, 4, 2]
    assert counts.loc[(1, "Dinas C"), "limit"] == 1


def test_cohorts_on_campus_at_the_same_time_share_a_units_limit() -> None:
    backlog = eligible_backlog(_unit_frame(), set(), RULES, TEMPLATE, AS_OF)
    rules = RULES.model_copy(update={"capacity": 10})
    start = ONE_ROOM[0]

    together = plan_cohorts(backlog, rules, TEMPLATE, [start, start + timedelta(days=7)])  # classical weeks overlap

    seated = pd.concat([c.members for c in together.cohorts])
    assert seated[seated["unit"] == "Dinas A"]["in_post"].sum() == 2  # 4 pengawas, at most 2 away at once
    assert together.unplaced.set_index("name").loc[["A3", "A4"], "reason"].tolist() == [UNPLACED_UNIT_SHARE] * 2
    assert together.overlapping == ((1, 2),) and together.unit_share_breaches().empty

    apart = plan_cohorts(backlog, rules, TEMPLATE, ONE_ROOM[:2])  # the second one's classical days come later
    assert apart.overlapping == () and "A3" in set(apart.cohorts[1].members["name"])


def test_a_plan_breaking_the_shared_limit_is_reported_as_a_breach() -> None:
    backlog = eligible_backlog(_unit_frame(), set(), RULES, TEMPLATE, AS_OF)
    plan = plan_cohorts(backlog, RULES.model_copy(update={"capacity": 10}), TEMPLATE, ONE_ROOM[:2])
    forged = dataclasses.replace(plan, overlapping=((1, 2),))  # as if both were on campus together
    breach = forged.unit_share_breaches()
    assert breach[["cohort", "unit", "in_post", "limit"]].values.tolist() == [["1+2", "Dinas A", 4, 2]]


def test_people_left_over_are_unplaced_for_capacity_or_for_their_units_share() -> None:
    backlog = eligible_backlog(_unit_frame(), set(), RULES, TEMPLATE, AS_OF)
    rules = RULES.model_copy(update={"capacity": 10})

    plan = plan_cohorts(backlog, rules, TEMPLATE, ONE_ROOM[:1])

    assert plan.placed == 10
    reasons = plan.unplaced.set_index("name")["reason"]
    assert reasons[["A3", "A4"]].tolist() == [UNPLACED_UNIT_SHARE] * 2
    assert (reasons.drop(["A3", "A4"]) == UNPLACED_CAPACITY).all() and len(reasons) == 26
    assert plan.unplaced["priority"].is_monotonic_increasing

    unit_only = plan_cohorts(backlog[backlog["in_post"]], RULES, TEMPLATE, ONE_ROOM[:1])
    assert unit_only.cohorts[0].members["name"].tolist() == ["A1", "B1", "A2", "C1"]
    assert unit_only.unplaced["reason"].tolist() == [UNPLACED_UNIT_SHARE] * 2


def test_the_plan_uses_no_more_cohorts_than_the_agency_runs_in_a_year_and_none_without_start_dates() -> None:
    backlog = eligible_backlog(_unit_frame(), set(), RULES, TEMPLATE, AS_OF)
    rules = RULES.model_copy(update={"capacity": 10, "cohorts_per_year": 2})
    plan = plan_cohorts(backlog, rules, TEMPLATE, ONE_ROOM)
    assert [c.number for c in plan.cohorts] == [1, 2] and plan.unused_start_dates == len(ONE_ROOM) - 2
    assert (plan.unplaced["reason"] == UNPLACED_CAPACITY).sum() == 36 - 20

    empty = plan_cohorts(backlog, rules, TEMPLATE, [])
    assert empty.cohorts == [] and (empty.unplaced["reason"] == UNPLACED_CAPACITY).all()
    assert len(empty.unplaced) == len(backlog)


def test_cohort_numbers_can_continue_an_existing_series_and_end_on_the_calendar_end_date() -> None:
    backlog = eligible_backlog(_unit_frame(), set(), RULES, TEMPLATE, AS_OF)
    plan = plan_cohorts(backlog, RULES, TEMPLATE, [date(2025, 3, 4)], first_number=3)
    [cohort] = plan.cohorts
    assert (cohort.number, cohort.start, cohort.end) == (3, date(2025, 3, 4), date(2025, 6, 23))
    assert cohort.members["cohort"].eq(3).all()


# --- scale ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_national_roster_of_1_000_000_rows_is_screened_ordered_and_planned_in_seconds() -> None:
    raw = personnel_frame(1_000_000, seed=41, today=AS_OF, trained_share=0.0, in_post_share=0.3)
    people = _normalise(raw)
    people.loc[people["golongan"].str.startswith("II/"), "golongan"] = "III/a"  # everyone eligible
    rules = RULES.model_copy(update={"cohorts_per_year": 40_000})

    start = time.perf_counter()
    backlog = eligible_backlog(people, set(), rules, TEMPLATE, AS_OF)
    screened = time.perf_counter() - start
    start = time.perf_counter()
    plan = plan_cohorts(backlog, rules, TEMPLATE, [date(2025, 1, 6)] * 40_000)
    planned = time.perf_counter() - start
    start = time.perf_counter()
    busy_year = plan_cohorts(backlog, rules, TEMPLATE, ONE_ROOM)
    twelve = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n1,000,000 rows: backlog {screened:.2f} s, plan into {len(plan.cohorts):,} cohorts {planned:.2f} s, "
        f"into 12 cohorts {twelve:.2f} s, peak RSS {peak:,.0f} MiB"
    )

    assert len(backlog) == 1_000_000 and backlog["priority"].is_monotonic_increasing
    # Every cohort starts the same day: all on campus together, so each unit sends at most its share
    # (floor(half its pengawas), at least one) however many cohorts there are; candidates fill the rest.
    posted = backlog[backlog["in_post"]]
    limit = np.maximum(
        np.maximum(posted.groupby("unit")["unit_supervisors"].max(), posted.groupby("unit").size()) // 2, 1
    )
    expected = int((~backlog["in_post"]).sum() + np.minimum(posted.groupby("unit").size(), limit).sum())
    assert plan.placed == expected and len(plan.cohorts) == -(-expected // 30)
    assert (plan.unplaced["reason"] == UNPLACED_UNIT_SHARE).all() and plan.placed + len(plan.unplaced) == 1_000_000
    assert plan.unit_share_breaches().empty and len(plan.overlapping) == 1
    assert busy_year.placed == 360 and len(busy_year.unplaced) == 1_000_000 - 360
    assert screened < 10 and planned < 60 and twelve < 10


@pytest.mark.parametrize(
    ("backlog", "per_year", "expected"),
    [(0, 12, 0), (1, 12, 1), (30, 12, 1), (31, 12, 2), (200, 12, 7), (200, 3, 3)],
)
def test_cohorts_needed_seat_the_whole_backlog_within_the_yearly_limit(backlog: int, per_year: int, expected: int):
    assert cohorts_needed(backlog, PlanningRules(year=2025, cohorts_per_year=per_year, capacity=30)) == expected


def test_officials_enrolled_in_a_running_cohort_are_not_in_the_backlog_and_say_why():
    export, graduates, expected = _city_roster()
    people = _normalise(export)
    enrolled = sorted(expected)[:12]  # twelve of the waiting officials got a place in a cohort still running

    backlog = eligible_backlog(people, graduates, RULES, TEMPLATE, AS_OF, enrolled)

    assert set(backlog["nip"]) == expected - set(enrolled)
    reasons = exclusion_reasons(people, graduates, RULES, TEMPLATE, AS_OF, enrolled).value_counts()
    assert reasons[EXCLUDED_ENROLLED] == 12 and reasons[EXCLUDED_TRAINED] == 70
