"""Indonesian names with academic and religious titles, and the emails and phone numbers made from them."""

from __future__ import annotations

import random
import re

from faker import Faker

# Faker's id_ID pool is mostly Javanese; Jambi is Malay and largely Muslim, so mix in local given names.
LOCAL_MALE = (
    "Muhammad",
    "Ahmad",
    "Abdul",
    "Syamsul",
    "Zulkifli",
    "Hasan",
    "Rahmat",
    "Fadli",
    "Azhar",
    "Firdaus",
)
LOCAL_FEMALE = (
    "Siti",
    "Nur",
    "Rahmawati",
    "Fitriani",
    "Yusnidar",
    "Zuraida",
    "Khairunnisa",
    "Hasnah",
    "Rosmiati",
)
# Names written with an apostrophe (Arabic ain/hamza) break naive CSV/SQL handling, so they must appear.
APOSTROPHE_MALE = ("Ma'ruf", "Nu'man", "Ja'far", "Mas'ud", "Syafi'i", "Mu'min", "Rif'at", "Sa'id")
APOSTROPHE_FEMALE = ("Sa'diyah", "Ni'mah", "Ma'rifah", "Nur'aini", "Mu'awanah", "Ru'yati")

BACHELOR = ("S.Sos.", "S.E.", "S.H.", "S.Kom.", "S.T.", "S.Pd.", "S.Kep.", "S.IP.")
MASTER = ("M.Si.", "M.M.", "M.Pd.", "M.H.", "M.T.")

_PHONE_PREFIXES = (
    "0811",
    "0812",
    "0813",
    "0821",
    "0822",
    "0852",
    "0853",
    "0857",
    "0813",
    "0877",
    "0878",
    "0896",
    "0898",
    "0882",
    "0831",
)


def bare_name(fake: Faker, rng: random.Random, gender: str) -> str:
    """A name without titles: one to three words, sometimes with an apostrophe."""
    male = gender == "L"
    first = (
        rng.choice(LOCAL_MALE if male else LOCAL_FEMALE)
        if rng.random() < 0.3
        else (fake.first_name_male() if male else fake.first_name_female())
    )
    parts = [first]
    if rng.random() < 0.35:
        parts.append(fake.first_name_male() if male else fake.first_name_female())
    if rng.random() < 0.6:
        parts.append(fake.last_name_male() if male else fake.last_name_female())
    if rng.random() < 0.08:
        parts[rng.randrange(len(parts))] = rng.choice(APOSTROPHE_MALE if male else APOSTROPHE_FEMALE)
    # Dedupe while keeping order: Faker can draw the same word twice ("Siti Siti").
    return " ".join(dict.fromkeys(parts))


def titled(rng: random.Random, bare: str, gender: str, birth_year: int) -> str:
    """Add the titles an official would sign with: ``Dr. H. Ahmad Fauzi, S.E., M.Si.``."""
    prefix: list[str] = []
    suffix: list[str] = []
    roll = rng.random()
    if roll < 0.04:
        prefix.append("Dr.")
        suffix += [rng.choice(BACHELOR), rng.choice(MASTER)]
    elif roll < 0.20 and birth_year < 1972:
        # Drs./Dra. were awarded until the 1990s, so only older officials carry them.
        prefix.append("Drs." if gender == "L" else "Dra.")
        if rng.random() < 0.4:
            suffix.append(rng.choice(MASTER))
    elif roll < 0.24:
        prefix.append("Ir.")
        if rng.random() < 0.3:
            suffix.append("M.M.")
    elif roll < 0.85:
        suffix.append(rng.choice(BACHELOR))
        if rng.random() < 0.3:
            suffix.append(rng.choice(MASTER))
    if rng.random() < 0.12:
        prefix.append("H." if gender == "L" else "Hj.")
    name = " ".join([*prefix, bare])
    return ", ".join([name, *suffix])


def email_for(rng: random.Random, bare: str, taken: set[str], office: str = "jambikota.go.id") -> str:
    """A unique lowercase ascii address made from the name, on the office domain or gmail."""
    words = [re.sub(r"[^a-z]", "", w.lower()) for w in bare.split()]
    words = [w for w in words if w] or ["pegawai"]
    if rng.random() < 0.5:
        local, domain = ".".join(words[:2]), office
    else:
        local, domain = "".join(words[:2]) + str(rng.randrange(70, 100)), "gmail.com"
    address, n = f"{local}@{domain}", 1
    while address in taken:
        n += 1
        address = f"{local}{n}@{domain}"
    taken.add(address)
    return address


def phone(rng: random.Random) -> str:
    """An Indonesian mobile number as text, 10 to 13 digits, starting 08."""
    prefix = rng.choice(_PHONE_PREFIXES)
    length = rng.choice((10, 11, 12, 12, 12, 13))
    return prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
