"""A Google Forms export of answers goes through the same gate and lands as the same records as a long file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.synth.roster import write_table
from flows.ingest_evidence import ingest_evidence
from flows.post_training_evaluation import post_training_evaluation
from schemas import tables as t
from schemas.instrument import default_instrument
from schemas.params import Evaluate, IngestEvidence

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"
WAVE_3M = date(2023, 2, 1)
WORDS = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]


def _ingest(path: Path, **form: str):  # noqa: ANN202
    params = IngestEvidence(program=PROGRAM, cohort=1, kind="responses", file=str(path), today=WAVE_3M, **form)
    return ingest_evidence(params, return_state=True)


def _stored() -> set[tuple]:
    with services().unit_of_work() as session:
        return set(
            session.execute(
                select(t.SurveyAnswer.alumnus_nip, t.SurveyAnswer.role, t.SurveyAnswer.item, t.SurveyAnswer.answer)
            ).all()
        )


def test_a_form_export_is_stored_exactly_as_the_same_answers_in_the_long_format(alumni, tmp_path: Path) -> None:
    nips, _ = alumni
    post_training_evaluation(Evaluate(as_of=WAVE_3M, notify=False))
    items = [i for i in default_instrument().level(3).items if i.kind == "likert"][:4]
    form_rows, long_rows = [], []
    for n, nip in enumerate(nips[:5]):
        row = {"Timestamp": f"2023/02/0{n + 1} 09:1{n}:00", "NIP Alumni": nip}
        for k, item in enumerate(items):
            score = 1 + (n + k) % 5
            row[f"{k + 1}. {item.text}"] = WORDS[score - 1]
            long_rows.append(
                {
                    "NIP ALUMNI": nip,
                    "PERAN": "alumni",
                    "RESPONDEN": "",
                    "GELOMBANG": "3m",
                    "BUTIR": item.code,
                    "JAWABAN": str(score),
                }
            )
        form_rows.append(row)
    form_rows[4][f"1. {items[0].text}"] = "Kadang-kadang"  # not an answer of the scale: quarantined, named

    state = _ingest(
        write_table(pd.DataFrame(form_rows), tmp_path / "Evaluasi alumni (Jawaban).xlsx"), role="alumni", wave="3m"
    )
    counts = state.result().counts
    assert (counts.rows_read, counts.rows_accepted, counts.rows_quarantined) == (20, 19, 1)
    with services().unit_of_work() as session:
        (row_number, reasons) = session.execute(select(t.QuarantinedRow.row_number, t.QuarantinedRow.reasons)).one()
    assert row_number == 6 and reasons[0]["code"] == "score.invalid"  # the export's own row 6

    stored = _stored()
    long_rows = [r for r in long_rows if not (r["NIP ALUMNI"] == nips[4] and r["BUTIR"] == items[0].code)]
    again = _ingest(write_table(pd.DataFrame(long_rows), tmp_path / "jawaban-3m.xlsx")).result().counts
    assert (again.rows_accepted, again.rows_unchanged) == (19, 19)  # the same records, nothing counted twice
    assert _stored() == stored and len(stored) == 19


def test_a_form_with_a_question_no_instrument_asks_is_refused_naming_it(alumni, tmp_path: Path) -> None:
    nips, _ = alumni
    frame = pd.DataFrame([{"Timestamp": "2023/02/01", "NIP Alumni": nips[0], "Saran Anda": "lebih banyak praktik"}])
    state = _ingest(write_table(frame, tmp_path / "form.csv"), role="alumni", wave="3m")
    assert state.is_failed() and "Saran Anda" in state.message
    assert _stored() == set()
