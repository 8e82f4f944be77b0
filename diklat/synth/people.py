"""Seeded civil servants of a city: NIPs consistent with birth and entry dates, ranks, posts, superiors."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from diklat.synth.names import bare_name, email_for, phone, titled
from diklat.synth.units import FUNGSIONAL_POSTS, PELAKSANA_POSTS, UNITS, Unit
from schemas.golongan import GOLONGAN

GOL_INDEX = {g: i for i, g in enumerate(GOLONGAN)}

# Rank weights per kind of post (PKP.md: supervisors mostly III/b–III/d, some IV/a).
_GOL_WEIGHTS = {
    "pengawas": {"III/a": 5, "III/b": 30, "III/c": 30, "III/d": 25, "IV/a": 10},
    "pelaksana": {"III/a": 45, "III/b": 35, "III/c": 20},
    "fungsional": {"III/b": 30, "III/c": 35, "III/d": 25, "IV/a": 10},
    "administrator": {"III/d": 10, "IV/a": 55, "IV/b": 35},
}
MIN_AGE, MAX_AGE = 30, 56
MIN_CPNS_AGE, MAX_CPNS_AGE = 22, 32


@dataclass(frozen=True)
class Person:
    """One civil servant as the roster and personnel files describe them."""

    nip: str
    name: str
    gender: str  # "L" or "P", as in the NIP's gender digit 1 / 2
    birth_date: date
    tmt_cpns: date  # first of the month they entered service; also encoded in the NIP
    golongan: str  # canonical "III/b"
    position: str
    position_type: str  # pengawas / pelaksana / fungsional / administrator (the eselon III superiors)
    unit: str
    superior_nip: str | None
    email: str
    phone: str
    appointed_date: date  # TMT jabatan: when they took the current post


@dataclass(frozen=True)
class Org:
    """People plus the one eselon III superior per unit their ``superior_nip`` points to."""

    people: list[Person]
    superiors: list[Person]


def make_nip(rng: random.Random, birth: date, tmt: date, gender: str, seq: int | None = None) -> str:
    """The 18-digit NIP: YYYYMMDD birth, YYYYMM TMT CPNS, 1 male / 2 female, 3-digit sequence."""
    if seq is None:
        # Most real NIPs end in 001; the sequence only grows when birth, TMT and gender all collide.
        seq = 1 if rng.random() < 0.5 else rng.randint(2, 30) if rng.random() < 0.9 else rng.randint(31, 999)
    if not 1 <= seq <= 999:
        raise ValueError(f"NIP sequence out of range: {seq}")
    return f"{birth:%Y%m%d}{tmt:%Y%m}{1 if gender == 'L' else 2}{seq:03d}"


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _career(rng: random.Random, today: date, kind: str) -> tuple[date, date, str]:
    """Birth date, TMT CPNS and a rank consistent with years of service (a step about every 4 years)."""
    while True:
        golongan = _pick(rng, _GOL_WEIGHTS[kind])
        steps = GOL_INDEX[golongan] - GOL_INDEX["III/a"]  # graduates enter at III/a
        service = rng.randint(max(1, 4 * steps), 4 * steps + 12)
        months = today.year * 12 + today.month - 1 - service * 12 - rng.randrange(12)
        tmt = date(months // 12, months % 12 + 1, 1)
        cpns_age = rng.randint(MIN_CPNS_AGE, MAX_CPNS_AGE)
        # Subtracting < 1 year of days keeps the age at TMT exactly cpns_age.
        birth = date(tmt.year - cpns_age, tmt.month, 1) - timedelta(days=rng.randrange(365))
        if MIN_AGE <= age_on(birth, today) <= MAX_AGE and tmt <= today:
            return birth, tmt, golongan


def _person(
    fake: Faker,
    rng: random.Random,
    today: date,
    kind: str,
    unit: Unit,
    position: str,
    superior: str | None,
    nips: set[str],
    emails: set[str],
) -> Person:
    gender = "L" if rng.random() < 0.55 else "P"
    birth, tmt, golongan = _career(rng, today, kind)
    nip = make_nip(rng, birth, tmt, gender)
    while nip in nips:
        nip = make_nip(rng, birth, tmt, gender, rng.randint(2, 999))
    nips.add(nip)
    bare = bare_name(fake, rng, gender)
    # Posts are held a few years; a pengawas has served at least ~4 years before the first post.
    served = timedelta(days=0 if kind == "pelaksana" else 4 * 365)
    earliest = min(max(tmt + served, today - timedelta(days=8 * 365)), today)
    appointed = earliest + timedelta(days=rng.randint(0, (today - earliest).days))
    return Person(
        nip=nip,
        name=titled(rng, bare, gender, birth.year),
        gender=gender,
        birth_date=birth,
        tmt_cpns=tmt,
        golongan=golongan,
        position=position,
        position_type=kind,
        unit=unit.name,
        superior_nip=superior,
        email=email_for(rng, bare, emails),
        phone=phone(rng),
        appointed_date=appointed,
    )


def make_org(n: int, seed: int, today: date, pengawas_share: float = 0.85, units: tuple[Unit, ...] = UNITS) -> Org:
    """``n`` people (mostly pengawas, the rest candidates in other posts) and their units' superiors."""
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    nips: set[str] = set()
    emails: set[str] = set()
    superiors = {u.name: _person(fake, rng, today, "administrator", u, u.head, None, nips, emails) for u in units}
    # Deal posts out without repeats while they last: a post is held by one person at a time.
    posts = [(u, p) for u in units for p in u.posts]
    rng.shuffle(posts)
    people = []
    for i in range(n):
        unit, post = posts[i % len(posts)]
        kind = "pengawas"
        if rng.random() >= pengawas_share:
            kind = "pelaksana" if rng.random() < 0.6 else "fungsional"
            post = rng.choice(PELAKSANA_POSTS if kind == "pelaksana" else FUNGSIONAL_POSTS)
        people.append(_person(fake, rng, today, kind, unit, post, superiors[unit.name].nip, nips, emails))
    return Org(people=people, superiors=list(superiors.values()))


def make_people(n: int, seed: int, today: date, pengawas_share: float = 0.85) -> list[Person]:
    """``n`` people with unique NIPs, aged 30–56 on ``today``, entered service at 22–32."""
    return make_org(n, seed, today, pengawas_share).people
