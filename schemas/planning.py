"""Next year's planning: the personnel roster file and the rules that turn its backlog into cohorts.

The personnel roster is the agency's whole staff list (not a cohort's roster): one row per civil
servant with rank, position type, unit, the date they took up the post (TMT JABATAN) and whether
they already did PKP (the file: ``schemas.files.PERSONNEL``). ``diklat.domain.planning`` reads it
normalised to the canonical names below.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Values operators write in SUDAH PKP (compared case-insensitively, trimmed); anything else is unknown.
TRAINED_VALUES: dict[str, bool] = {
    "ya": True,
    "y": True,
    "sudah": True,
    "yes": True,
    "1": True,
    "true": True,
    "tidak": False,
    "belum": False,
    "n": False,
    "no": False,
    "0": False,
    "false": False,
}

# JENIS JABATAN as operators write it -> stored position type. Pengawas is the former eselon IV,
# administrator the former eselon III, pimpinan tinggi (JPT) eselon II and above (PermenPANRB 17/2021
# equalisation of posts). Compared case-insensitively with spaces collapsed; anything else is unknown.
POSITION_TYPES: dict[str, str] = {
    "pengawas": "pengawas",
    "jabatan pengawas": "pengawas",
    "eselon iv": "pengawas",
    "eselon 4": "pengawas",
    "administrator": "administrator",
    "jabatan administrator": "administrator",
    "eselon iii": "administrator",
    "eselon 3": "administrator",
    "pimpinan tinggi": "pimpinan_tinggi",
    "jabatan pimpinan tinggi": "pimpinan_tinggi",
    "jpt": "pimpinan_tinggi",
    "eselon ii": "pimpinan_tinggi",
    "eselon 2": "pimpinan_tinggi",
    "eselon i": "pimpinan_tinggi",
    "eselon 1": "pimpinan_tinggi",
    "pelaksana": "pelaksana",
    "jabatan pelaksana": "pelaksana",
    "jfu": "pelaksana",
    "fungsional umum": "pelaksana",
    "fungsional": "fungsional",
    "jabatan fungsional": "fungsional",
    "jft": "fungsional",
    "fungsional tertentu": "fungsional",
}
IN_POST_TYPE = "pengawas"
# ASSUMPTION: PKP is for those who hold OR are about to hold a pengawas post (PKP.md). Staff in
# pelaksana and fungsional posts at the minimum rank are the pool promotions to pengawas come from,
# so they are candidates. Administrators and above are excluded: their posts need PKA/PKN instead.
CANDIDATE_TYPES: tuple[str, ...] = ("pelaksana", "fungsional")

PriorityKey = Literal["in_post", "time_in_post", "time_to_retirement", "rank"]
PRIORITY_KEYS: dict[str, str] = {
    "in_post": "holding a pengawas post (in post) comes before a candidate",
    "time_in_post": "longer in the pengawas post (since TMT JABATAN) first; a candidate counts 0 days",
    "time_to_retirement": "fewer days to the retirement age first (their chance to attend runs out sooner)",
    "rank": "higher golongan/ruang first",
}


class PlanningRules(BaseModel):
    """How the backlog is screened and split into next year's cohorts (PKP.md for each default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=2000, le=2200, description="The year the cohorts run in.")
    cohorts_per_year: int = Field(ge=1, description="Most cohorts the agency can run (budget, trainers).")
    retirement_age: int = Field(
        58,
        ge=40,
        le=70,
        description="ASSUMPTION: age (batas usia pensiun) of administrative posts, 58 (UU ASN); a person who "
        "has reached it on the as-of date is no longer in the backlog.",
    )
    priority: tuple[PriorityKey, ...] = Field(
        ("in_post", "time_in_post", "time_to_retirement", "rank"),
        description="Sort keys, most important first: "
        + "; ".join(f"{k}: {v}" for k, v in PRIORITY_KEYS.items())
        + ". NIP breaks the remaining ties.",
    )
    capacity: int = Field(30, ge=1, description="ASSUMPTION: seats per cohort (PKP.md: 30).")
    max_unit_share: Decimal = Field(
        Decimal("0.5"),
        gt=0,
        le=1,
        description="Largest share of one unit's pengawas who may sit in the same cohort (the unit must keep "
        "running): floor(share x the unit's pengawas), at least 1.",
    )
    earliest_start: date | None = Field(None, description="No cohort starts before this day (default: 2 January).")
    gap_days: int = Field(
        7,
        ge=0,
        description="Free calendar days the campus needs between one cohort's classical phase and another's.",
    )

    @field_validator("priority")
    @classmethod
    def _no_repeated_key(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"priority repeats a key: {value}")
        return value
