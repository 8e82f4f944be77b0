"""Named faults an operator's roster file really shows, each applied to one written row."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from schemas.files import ROSTER

# Header written for each canonical column: the first (Indonesian) alias, as operators type it.
HEADER = {c.name: c.aliases[0] for c in ROSTER.columns}
NIP, NAME, GOL = HEADER["nip"], HEADER["name"], HEADER["golongan"]


@dataclass(frozen=True)
class FaultContext:
    """What a fault may need beyond its own row: the day of the file, NIPs of good rows above it."""

    today: date
    earlier_nips: tuple[str, ...] = ()


Row = dict[str, str]
Fault = Callable[[Row, random.Random, FaultContext], tuple[Row, str]]


def digits(text: str) -> str:
    """Only the digits of a cell, so spaced NIPs (``19800101 200501 1 001``) can be edited."""
    return re.sub(r"\D", "", text)


def _with(row: Row, column: str, value: str) -> Row:
    return {**row, column: value}


def nip_scientific(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    # 15 significant digits is what Excel keeps of an 18-digit number, so the last 3 are lost.
    value = f"{float(digits(row[NIP])):.14E}"
    return _with(row, NIP, value), f"NIP stored as a number in scientific notation ({value})"


def nip_short(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    nip = digits(row[NIP])
    i = rng.randrange(len(nip))
    return _with(row, NIP, nip[:i] + nip[i + 1 :]), "NIP has 17 digits (one digit dropped)"


def nip_bad_birthdate(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    nip = digits(row[NIP])
    return _with(row, NIP, nip[:4] + "13" + nip[6:]), "NIP birth date has month 13"


def nip_gender(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    nip = digits(row[NIP])
    return _with(row, NIP, nip[:14] + "3" + nip[15:]), "NIP gender digit is 3 (only 1 or 2 exist)"


def golongan_unknown(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    value = rng.choice(("V/z", "Penata Hebat"))
    return _with(row, GOL, value), f"rank {value!r} does not exist"


def golongan_low(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    return _with(row, GOL, "II/c"), "rank II/c is below the III/a minimum"


def name_missing(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    return _with(row, NAME, ""), "name is empty"


def duplicate_nip(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    if not ctx.earlier_nips:
        raise ValueError("duplicate_nip needs a good row above it")
    value = rng.choice(ctx.earlier_nips)
    return _with(row, NIP, value), f"NIP {digits(value)} already used by an earlier row"


def tmt_future(row: Row, rng: random.Random, ctx: FaultContext) -> tuple[Row, str]:
    nip = digits(row[NIP])
    year, month = ctx.today.year + rng.randint(1, 3), rng.randint(1, 12)
    value = f"{nip[:8]}{year}{month:02d}{nip[14:]}"
    return _with(row, NIP, value), f"NIP TMT CPNS {year}-{month:02d} is after the file date"


FAULTS: dict[str, Fault] = {
    f.__name__: f
    for f in (
        nip_scientific,
        nip_short,
        golongan_unknown,
        name_missing,
        duplicate_nip,
        nip_bad_birthdate,
        nip_gender,
        golongan_low,
        tmt_future,
    )
}
# An int fault count takes faults in this order: the first five are the ones most files show.
DEFAULT_ORDER = tuple(FAULTS)
