"""The plan's files for the operator: backlog and plan with Indonesian headers, and rosters open-cohort accepts."""

from __future__ import annotations

import pandas as pd

from diklat.domain.planning import Plan, PlannedCohort

BACKLOG_HEADERS = {
    "priority": "PRIORITAS",
    "nip": "NIP",
    "name": "NAMA",
    "golongan": "GOL/RUANG",
    "position": "JABATAN",
    "position_type": "JENIS JABATAN",
    "unit": "UNIT KERJA",
    "years_in_post": "MASA JABATAN (TAHUN)",
    "years_to_retirement": "SISA MASA KERJA (TAHUN)",
    "why": "ALASAN URUTAN",
}
PLAN_HEADERS = {"cohort": "ANGKATAN", "start": "MULAI", "end": "SELESAI", "seat": "KURSI", **BACKLOG_HEADERS}
# Headers open-cohort reads in a roster file.
ROSTER_HEADERS = {"nip": "NIP", "name": "NAMA", "golongan": "GOL/RUANG", "position": "JABATAN", "unit": "UNIT KERJA"}


def backlog_table(backlog: pd.DataFrame) -> pd.DataFrame:
    """The ranked backlog with the reason for each place."""
    return _out(backlog, BACKLOG_HEADERS)


def plan_table(plan: Plan) -> pd.DataFrame:
    """Every seated official with their cohort's dates and seat, cohort by cohort."""
    members = pd.concat(
        [c.members.assign(start=c.start.isoformat(), end=c.end.isoformat()) for c in plan.cohorts]
        or [pd.DataFrame(columns=["cohort"])]
    )
    return _out(members, PLAN_HEADERS)


def roster_table(cohort: PlannedCohort) -> pd.DataFrame:
    """One proposed cohort as a roster file."""
    return _out(cohort.members, ROSTER_HEADERS)


def _out(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    present = [c for c in columns if c in frame]
    out = frame[present].rename(columns=columns)
    # Dates, Decimals and the like as text, the way the operator reads them; numbers stay numbers.
    return out.map(lambda v: str(v) if v is not None and not isinstance(v, int | float | str) else v)
