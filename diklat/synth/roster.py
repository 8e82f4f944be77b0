"""Roster and coaches files as an operator would upload them, with known faults at known rows."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from faker import Faker
from openpyxl import Workbook

from diklat.synth.faults import DEFAULT_ORDER, FAULTS, HEADER, NIP, FaultContext, Row
from diklat.synth.names import BACHELOR, MASTER, bare_name, email_for
from diklat.synth.people import Person, make_nip, make_people
from schemas.files import COACHES

__all__ = [
    "FAULTS",
    "InjectedFault",
    "SynthRoster",
    "coaches_frame",
    "make_roster",
    "roster_frame",
    "write_table",
]

ROSTER_COLUMNS = ("nip", "name", "golongan", "position", "unit", "superior_nip", "email", "phone")
HEADERS = tuple(HEADER[c] for c in ROSTER_COLUMNS)
FIRST_DATA_ROW = 2  # the header is row 1, as the operator sees it in a spreadsheet
REFERENCE_DAY = date(2022, 7, 14)  # the Kota Jambi opening day (PKP.md), for callers without a date

_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4"}
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E[+-]?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class InjectedFault:
    """One bad row: where it is in the written file, which fault, whose row it was meant to be."""

    row_number: int
    fault: str
    nip: str
    description: str


@dataclass(frozen=True)
class SynthRoster:
    """The faulty file, the corrected file (same rows, faults undone), the faults and the people."""

    frame: pd.DataFrame
    clean_frame: pd.DataFrame
    faults: list[InjectedFault]
    people: list[Person]


def spaced_nip(nip: str) -> str:
    """The printed form ``19800101 200501 1 001``."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def _messy_golongan(rng: random.Random, golongan: str) -> str:
    group, room = golongan.split("/")
    return rng.choice((f"{group}-{room}", f"{_ROMAN[group]}{room}", f"{group} / {room.upper()}"))


def _row(person: Person, rng: random.Random | None) -> Row:
    nip, superior, golongan, name = person.nip, person.superior_nip or "", person.golongan, person.name
    # Variants a reader must accept; only drawn when messy, so clean files stay byte-stable.
    if rng is not None:
        nip = spaced_nip(nip) if rng.random() < 0.3 else nip
        superior = spaced_nip(superior) if superior and rng.random() < 0.3 else superior
        golongan = _messy_golongan(rng, golongan) if rng.random() < 0.3 else golongan
        name = name.upper() if rng.random() < 0.1 else name
    values = (nip, name, golongan, person.position, person.unit, superior, person.email, person.phone)
    return dict(zip(HEADERS, values, strict=True))


def _frame(rows: list[Row]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(HEADERS), dtype=str)


def roster_frame(people: list[Person], messy: bool = False, seed: int = 0) -> pd.DataFrame:
    """The roster file content: Indonesian headers, every cell a string."""
    rng = random.Random(f"{seed}:messy") if messy else None
    return _frame([_row(p, rng) for p in people])


def _plan(faults: dict[str, int] | int) -> list[str]:
    if isinstance(faults, int):
        return [DEFAULT_ORDER[i % len(DEFAULT_ORDER)] for i in range(faults)]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    return [name for name, count in faults.items() for _ in range(count)]


def make_roster(
    n: int = 30,
    seed: int = 0,
    today: date = REFERENCE_DAY,
    faults: dict[str, int] | int = 0,
    messy: bool = False,
) -> SynthRoster:
    """``n`` rows, ``faults`` of them bad (each at a distinct row, never the first), the rest good."""
    people = make_people(n, seed, today)
    messy_rng = random.Random(f"{seed}:messy") if messy else None
    clean = [_row(p, messy_rng) for p in people]
    plan = _plan(faults)
    if len(plan) > n - 1:
        raise ValueError(f"{len(plan)} faults do not fit in {n} rows (the first row stays good)")
    rng = random.Random(f"{seed}:faults")
    targets = sorted(rng.sample(range(1, n), len(plan)))
    rng.shuffle(plan)
    bad = set(targets)
    rows = list(clean)
    injected = []
    for index, name in zip(targets, plan, strict=True):
        earlier = tuple(clean[j][NIP] for j in range(index) if j not in bad)
        rows[index], description = FAULTS[name](clean[index], rng, FaultContext(today, earlier))
        injected.append(InjectedFault(index + FIRST_DATA_ROW, name, people[index].nip, description))
    return SynthRoster(_frame(rows), _frame(clean), injected, people)


def write_table(frame: pd.DataFrame, path: Path | str, sep: str = ",", encoding: str = "utf-8") -> Path:
    """Write ``.csv`` (any separator, encoding) or ``.xlsx`` with NIP cells as text, as operators do."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, sep=sep, encoding=encoding)
    elif suffix == ".xlsx":
        _write_xlsx(frame, path)
    else:
        raise ValueError(f"unsupported file type: {suffix}")
    return path


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append([str(c) for c in frame.columns])
    nip_columns = {i for i, c in enumerate(frame.columns) if "NIP" in str(c).upper()}
    for values in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) or v == "" else v for v in values])
    for row in sheet.iter_rows(min_row=2):
        for i in nip_columns:
            cell = row[i]
            if isinstance(cell.value, str) and _SCIENTIFIC.match(cell.value):
                # Excel's damage: the NIP became a float and lost its last digits.
                cell.value = float(cell.value)
            elif cell.value is not None:
                cell.number_format = "@"  # a text-formatted cell, how careful operators keep NIPs
    book.save(path)


def coaches_frame(n: int, seed: int, today: date = REFERENCE_DAY) -> pd.DataFrame:
    """Widyaiswara (trainers): ``NIP, NAMA, EMAIL``; senior, titled, mostly provincial addresses."""
    rng = random.Random(f"{seed}:coaches")
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    nips: set[str] = set()
    emails: set[str] = set()
    rows = []
    while len(rows) < n:
        gender = "L" if rng.random() < 0.6 else "P"
        birth = today - timedelta(days=rng.randint(40 * 365, 58 * 365))
        tmt = date(birth.year + rng.randint(24, 30), rng.randint(1, 12), 1)
        nip = make_nip(rng, birth, tmt, gender)
        if nip in nips:
            continue
        nips.add(nip)
        bare = bare_name(fake, rng, gender)
        # Trainers hold at least a master's degree; about a third are doctors.
        prefix = "Dr. " if rng.random() < 0.35 else ""
        name = f"{prefix}{bare}, {rng.choice(BACHELOR)}, {rng.choice(MASTER)}"
        rows.append((nip, name, email_for(rng, bare, emails, office="bpsdm.jambiprov.go.id")))
    return pd.DataFrame(rows, columns=[c.aliases[0] for c in COACHES.columns if c.name != "quarantine_id"], dtype=str)
