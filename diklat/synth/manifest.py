"""A cohort list (manifest) as a province's operator would write it for a batch run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from diklat.synth.roster import write_table

HEADERS = {
    "cohort": "ANGKATAN",
    "start": "TANGGAL MULAI",
    "roster": "BERKAS PESERTA",
    "coaches": "BERKAS COACH",
    "scores": "BERKAS NILAI",
    "assessors": "BERKAS PENILAI",
}


def write_manifest(rows: Iterable[dict[str, object]], path: Path) -> Path:
    """One row per cohort; dates written day-first (14/07/2022), paths relative to the list's folder."""
    records = []
    for row in rows:
        rec = {}
        for key, header in HEADERS.items():
            value = row.get(key)
            if isinstance(value, date):
                value = value.strftime("%d/%m/%Y")
            elif isinstance(value, Path):
                value = str(value.relative_to(path.parent)) if value.is_relative_to(path.parent) else str(value)
            rec[header] = "" if value is None else str(value)
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=list(HEADERS.values()))
    return write_table(frame.loc[:, (frame != "").any(axis=0)], path)
