"""An agency's own instrument version: new waves use it, a wave already running keeps its version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.settings import get_settings
from diklat.synth.roster import write_table
from flows.ingest_evidence import ingest_evidence
from flows.post_training_evaluation import post_training_evaluation
from schemas import tables as t
from schemas.instrument import default_instrument
from schemas.params import Evaluate, IngestEvidence

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"
WAVE_3M, WAVE_6M = date(2023, 2, 1), date(2023, 5, 1)
NEW_ITEM = "l3_digital"


def publish_version_with_an_extra_item(folder: Path) -> None:
    body = default_instrument().model_dump(mode="json")
    body["version"] = "2023.1"
    level3 = next(lv for lv in body["levels"] if lv["level"] == 3)
    level3["items"].append(
        {"code": NEW_ITEM, "kind": "likert", "aspect": "digital", "text": "Memanfaatkan layanan digital."}
    )
    (folder / "instruments").mkdir(parents=True)
    (folder / "instruments" / "kirkpatrick-2023.1.yaml").write_text(yaml.safe_dump(body, allow_unicode=True))


def answers(nips: list[str], wave: str, item: str, path: Path) -> str:
    rows = [
        {"NIP ALUMNI": nip, "PERAN": "alumni", "RESPONDEN": "", "GELOMBANG": wave, "BUTIR": item, "JAWABAN": "4"}
        for nip in nips
    ]
    return str(write_table(pd.DataFrame(rows), path))


def ingest(path: str, today: date):  # noqa: ANN201
    params = IngestEvidence(program=PROGRAM, cohort=1, kind="responses", file=path, today=today)
    return ingest_evidence(params, return_state=True).result().counts


def test_a_running_wave_keeps_its_version_and_the_next_wave_opens_with_the_agencys_new_one(
    alumni, tmp_path: Path, monkeypatch
) -> None:
    nips, _ = alumni
    post_training_evaluation(Evaluate(as_of=WAVE_3M, notify=False))  # the +3 month wave opens: built-in version
    assert ingest(answers(nips[:3], "3m", "l3_keputusan", tmp_path / "a.csv"), WAVE_3M).rows_accepted == 3

    publish_version_with_an_extra_item(tmp_path / "templates")
    monkeypatch.setenv("DIKLAT_TEMPLATE_DIR", str(tmp_path / "templates"))
    get_settings.cache_clear()

    late = ingest(answers(nips[:2], "3m", NEW_ITEM, tmp_path / "b.csv"), WAVE_3M)
    assert (late.rows_accepted, late.rows_quarantined) == (0, 2)  # not an item of the version 3m runs with

    post_training_evaluation(Evaluate(as_of=WAVE_6M, notify=False))  # the +6 month wave opens: the new version
    later = ingest(answers(nips[:2], "6m", NEW_ITEM, tmp_path / "c.csv"), WAVE_6M)
    assert (later.rows_accepted, later.rows_quarantined) == (2, 0)

    with services().unit_of_work() as session:
        pinned = dict(
            session.execute(
                select(t.SurveyWaveInstrument.wave, t.SurveyInstrument.version).join(
                    t.SurveyInstrument, t.SurveyInstrument.id == t.SurveyWaveInstrument.instrument_id
                )
            ).all()
        )
        stored = dict(
            session.execute(
                select(t.SurveyAnswer.item, t.SurveyInstrument.version).join(
                    t.SurveyInstrument, t.SurveyInstrument.id == t.SurveyAnswer.instrument_id
                )
            ).all()
        )
    assert pinned == {"3m": "2022.1", "6m": "2023.1"}
    assert stored == {"l3_keputusan": "2022.1", NEW_ITEM: "2023.1"}
    report = post_training_evaluation(Evaluate(as_of=WAVE_6M, notify=False))  # both versions in one report
    assert {w.wave for w in report.waves} >= {"3m", "6m"}
