"""A city or national personnel roster (up to millions of rows), built vectorised with numpy."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from faker import Faker

from diklat.synth.names import bare_name, titled
from diklat.synth.people import GOL_INDEX
from diklat.synth.units import FUNGSIONAL_POSTS, PELAKSANA_POSTS, UNITS
from schemas.golongan import GOLONGAN

COLUMNS = ("NIP", "NAMA", "GOL/RUANG", "JABATAN", "JENIS JABATAN", "UNIT KERJA", "TMT JABATAN", "SUDAH PKP")
YES, NO = "YA", "TIDAK"  # Indonesian, like the headers, as an operator's export would say
KINDS = np.array(["pengawas", "pelaksana", "fungsional"])
# Lowest and highest rank per kind: pelaksana may enter at II/a with a diploma, pengawas are III/a–IV/a.
_GRADE_RANGE = {0: ("III/a", "IV/a"), 1: ("II/a", "III/d"), 2: ("III/a", "IV/b")}
_YEAR = 365.25


def _name_pools(seed: int, size: int) -> dict[tuple[str, bool, bool], np.ndarray]:
    """Names per (gender, born before 1972, graduate), drawn once so rows only index into them."""
    rng = random.Random(f"{seed}:personnel-names")
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    pools = {}
    for gender, old, graduate in itertools.product("LP", (False, True), (False, True)):
        names = [bare_name(fake, rng, gender) for _ in range(size)]
        if graduate:
            names = [titled(rng, name, gender, 1965 if old else 1985) for name in names]
        pools[(gender, old, graduate)] = np.array(names, dtype=object)
    return pools


def _date_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    years = day.astype("datetime64[Y]").astype(np.int64) + 1970
    months = month.astype(np.int64) % 12 + 1
    return years, months, (day - month).astype(np.int64) + 1


def _sequence(prefix: np.ndarray) -> np.ndarray:
    """1, 2, 3… within each equal NIP prefix, so NIPs are unique the way BKN numbers collisions."""
    order = np.argsort(prefix, kind="stable")
    ordered = prefix[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    start_index = np.maximum.accumulate(np.where(starts, np.arange(len(prefix)), 0))
    seq = np.empty(len(prefix), dtype=np.int64)
    seq[order] = np.arange(len(prefix)) - start_index + 1
    if len(seq) and seq.max() > 999:
        raise ValueError("more than 999 people share a birth date, TMT month and gender")
    return seq


def personnel_frame(
    n: int,
    seed: int,
    today: date,
    trained_share: float = 0.75,
    in_post_share: float = 0.1,
    name_pool: int = 3000,
) -> pd.DataFrame:
    """``n`` civil servants; ``in_post_share`` hold a pengawas post, ``trained_share`` of those did PKP."""
    rng = np.random.default_rng(seed)
    today64 = np.datetime64(today, "D").astype(np.int64)
    kind = np.where(rng.random(n) < in_post_share, 0, np.where(rng.random(n) < 0.65, 1, 2))
    pengawas = kind == 0
    male = rng.random(n) < 0.55

    # Ages 30–56 for pengawas (as in Person), 23–58 for the rest of the workforce.
    age_days = np.where(pengawas, rng.integers(30 * 366, 56 * 365, n), rng.integers(23 * 366, 58 * 365, n))
    birth = today64 - age_days
    cpns_age = rng.integers(22, np.minimum(32, age_days // _YEAR).astype(np.int64) + 1)
    tmt_day = np.minimum(birth + (cpns_age * _YEAR + rng.integers(0, 365, n)).astype(np.int64), today64)
    tmt_month = tmt_day.astype("datetime64[D]").astype("datetime64[M]")
    tmt = tmt_month.astype("datetime64[D]").astype(np.int64)

    # Rank from years of service: entry grade plus a step about every 4 years, clipped per kind.
    service = (today64 - tmt) / _YEAR
    entry = np.where((kind == 1) & (rng.random(n) < 0.5), GOL_INDEX["II/a"], GOL_INDEX["III/a"])
    grade = entry + (service // 4).astype(np.int64) - rng.integers(0, 2, n)
    low = np.array([GOL_INDEX[_GRADE_RANGE[k][0]] for k in range(3)])[kind]
    high = np.array([GOL_INDEX[_GRADE_RANGE[k][1]] for k in range(3)])[kind]
    # Most pengawas wait at III/d (IV/a needs more credit points) and hold at least III/b (PKP.md).
    high = np.where(pengawas & (rng.random(n) < 0.75), GOL_INDEX["III/d"], high)
    low = np.where(pengawas & (rng.random(n) < 0.7), GOL_INDEX["III/b"], low)
    grade = np.clip(grade, low, high)

    by, bm, bd = _date_parts(birth)
    ty, tm, _ = _date_parts(tmt)
    prefix = (((by * 100 + bm) * 100 + bd) * 1_000_000 + ty * 100 + tm) * 10 + np.where(male, 1, 2)
    nip = (prefix * 1000 + _sequence(prefix)).astype(str)

    posts = [(i, p) for i, u in enumerate(UNITS) for p in u.posts]
    post_pick = rng.integers(0, len(posts), n)
    unit = np.where(pengawas, np.array([i for i, _ in posts])[post_pick], rng.integers(0, len(UNITS), n))
    position = np.where(
        pengawas,
        np.array([p for _, p in posts], dtype=object)[post_pick],
        np.where(
            kind == 1,
            np.array(PELAKSANA_POSTS, dtype=object)[rng.integers(0, len(PELAKSANA_POSTS), n)],
            np.array(FUNGSIONAL_POSTS, dtype=object)[rng.integers(0, len(FUNGSIONAL_POSTS), n)],
        ),
    )

    # In post for a few years at most; a pengawas has served ~4 years before the first post.
    earliest = np.minimum(np.maximum(tmt + np.where(pengawas, int(4 * _YEAR), 0), today64 - int(8 * _YEAR)), today64)
    appointed = earliest + (rng.random(n) * (today64 - earliest + 1)).astype(np.int64)

    pools = _name_pools(seed, name_pool)
    old = by < 1972
    name = np.empty(n, dtype=object)
    graduate = entry == GOL_INDEX["III/a"]  # II/a entrants have a school or diploma, no degree title
    for (gender, is_old, is_graduate), pool in pools.items():
        mask = (male == (gender == "L")) & (old == is_old) & (graduate == is_graduate)
        name[mask] = pool[rng.integers(0, len(pool), int(mask.sum()))]

    trained = pengawas & (rng.random(n) < trained_share)
    return pd.DataFrame(
        {
            "NIP": nip,
            "NAMA": name,
            "GOL/RUANG": np.array(GOLONGAN, dtype=object)[grade],
            "JABATAN": position,
            "JENIS JABATAN": KINDS[kind].astype(object),
            "UNIT KERJA": np.array([u.name for u in UNITS], dtype=object)[unit],
            "TMT JABATAN": np.datetime_as_string(appointed.astype("datetime64[D]"), unit="D"),
            "SUDAH PKP": np.where(trained, YES, NO).astype(object),
        },
        columns=list(COLUMNS),
    )


@dataclass(frozen=True)
class CityRoster:
    """A city's personnel export with a known backlog (the seed scenario's "about 200")."""

    frame: pd.DataFrame  # NIP, NAMA, GOL/RUANG, JABATAN, JENIS JABATAN, UNIT KERJA, TMT JABATAN, SUDAH PKP
    graduates: set[str]  # trained in diklat already (not marked on the roster)
    expected: set[str]  # exactly the 200 untrained eligible officials


def _age_on(nip: str, on: date) -> int:
    born = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _rank_index(golongan: str) -> int:
    from diklat.domain.golongan import rank_index

    return rank_index(golongan)


def city_roster(as_of: date, seed: int = 31) -> CityRoster:
    """A generated city export holding exactly 200 untrained eligible officials, 100 of them in post.

    Around them: trained pengawas (by the roster flag and by diklat's own graduate list), staff below
    III/a, administrators and officials past 58. Returns (raw export, graduate NIPs, expected NIPs).
    """
    raw = personnel_frame(3000, seed=seed, today=as_of, trained_share=0.5, in_post_share=0.15)
    age = raw["NIP"].map(lambda nip: _age_on(nip, as_of))
    rank = raw["GOL/RUANG"].map(_rank_index)
    young, senior_rank = age < 57, rank >= _rank_index("III/a")
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
    retirees["NIP"] = [f"{as_of.year - 59}{nip[4:]}" for nip in retirees["NIP"]]
    low_rank = raw[~pengawas & ~senior_rank & young].iloc[:50]
    assert (len(in_post), len(graduates), len(candidates), len(retirees)) == (100, 10, 100, 10)

    export = pd.concat([in_post, graduates, trained, candidates, administrators, retirees, low_rank])
    export = export.sample(frac=1, random_state=5).reset_index(drop=True)  # the export's own order
    assert export["NIP"].is_unique
    expected = set(in_post["NIP"]) | set(candidates["NIP"])
    return CityRoster(export, set(graduates["NIP"]), expected)
