"""Every stored text column's limit is a gate rule, on every backend: at the limit a value is stored whole,
one character over it the row is quarantined with its reason (PostgreSQL would refuse the whole file)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.synth.roster import make_roster, write_table
from flows.ingest_evidence import ingest_evidence
from flows.open_cohort import open_cohort
from schemas import tables as t
from schemas.limits import STORED_LENGTHS
from schemas.params import IngestEvidence
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

START = date(2022, 7, 14)


def _value(column: str, length: int, filler: str) -> str:
    if column == "email":
        domain = "@bkpsdmd.jambikota.go.id"
        return filler * (length - len(domain)) + domain
    words = ((filler * 9 + " ") * length)[: length - 1]  # words, as a person would write them
    return words + filler  # never a trailing space (the reader trims it)


def _quarantine_codes(kind: str) -> list[list[str]]:
    with services().unit_of_work() as session:
        return [
            sorted(r["code"] for r in reasons)
            for reasons in session.scalars(
                select(t.QuarantinedRow.reasons)
                .where(t.QuarantinedRow.kind == kind)
                .order_by(t.QuarantinedRow.row_number)
            )
        ]


@pytest.mark.parametrize("column", ["name", "position", "unit", "email"])
def test_a_roster_value_at_its_limit_is_stored_and_one_over_is_quarantined(settings, tmp_path: Path, column) -> None:
    limit = STORED_LENGTHS["roster"][column]
    frame = make_roster(3, seed=5, today=START).frame
    header = {"name": "NAMA", "position": "JABATAN", "unit": "UNIT KERJA", "email": "EMAIL"}[column]
    frame.loc[0, header] = _value(column, limit, "a")
    frame.loc[1, header] = _value(column, limit + 1, "b")
    state = open_cohort(open_params(write_table(frame, tmp_path / "roster.xlsx")), return_state=True)
    assert state.is_completed(), state.message
    assert _quarantine_codes("roster") == [["value.too_long"]]
    with services().unit_of_work() as session:
        stored = session.scalars(select(getattr(t.Employee, column))).all()
    assert _value(column, limit, "a") in stored and len(stored) == 2


@pytest.mark.parametrize(
    ("kind", "column", "header"), [("guidance", "topic", "TOPIK"), ("deliverables", "notes", "CATATAN")]
)
def test_an_evidence_text_at_its_limit_is_stored_and_one_over_is_quarantined(
    settings, tmp_path: Path, kind: str, column: str, header: str
) -> None:
    synth = make_roster(3, seed=6, today=START)
    assert open_cohort(open_params(write_table(synth.frame, tmp_path / "r.csv")), return_state=True).is_completed()
    limit = STORED_LENGTHS[kind][column]
    day = (START + timedelta(days=40)).strftime("%d/%m/%Y")
    rows = [
        {"NIP": p.nip, "TANGGAL": day, header: _value(column, limit + (i == 1), "xy"[i % 2])}
        | ({"JENIS": "coaching"} if kind == "guidance" else {"TAHAP": "rancangan", "HASIL": "diterima"})
        for i, p in enumerate(synth.people[:2])
    ]
    path = write_table(pd.DataFrame(rows), tmp_path / f"{kind}.xlsx")
    state = ingest_evidence(
        IngestEvidence(program="PKP Kota Jambi 2022", cohort=1, kind=kind, file=str(path), today=START + timedelta(50)),
        return_state=True,
    )
    assert state.is_completed(), state.message
    assert _quarantine_codes(kind) == [["value.too_long"]]
    table = t.GuidanceLog if kind == "guidance" else t.Deliverable
    with services().unit_of_work() as session:
        assert session.scalars(select(getattr(table, column))).all() == [_value(column, limit, "x")]
