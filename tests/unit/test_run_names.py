"""A run's name says what it was about: flow, programme, cohort, kind or decision, date; never a person."""

from __future__ import annotations

import pytest

from diklat.domain.run_names import run_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("flow", "params", "name"),
    [
        (
            "open-cohort",
            {"program": "PKP Kota Jambi 2022", "cohort": 1},
            "open-cohort · PKP Kota Jambi 2022 · angkatan 1",
        ),
        (
            "ingest-evidence",
            {"program": "PKP Kota Jambi 2022", "cohort": 2, "kind": "guidance", "file": "/x/y.xlsx"},
            "ingest-evidence · PKP Kota Jambi 2022 · angkatan 2 · guidance",
        ),
        (
            "record-decision",
            {"program": "P", "cohort": 1, "decision": "withdraw", "participant": "198001**********01"},
            "record-decision · P · angkatan 1 · withdraw",
        ),
        ("check-milestones", {"as_of": "2022-08-12", "program": None}, "check-milestones · per 2022-08-12"),
        ("plan-cohorts", {"program": "PKP 2023", "year": 2023}, "plan-cohorts · PKP 2023 · tahun 2023"),
        ("check-milestones", {}, "check-milestones"),
    ],
)
def test_the_name_says_what_the_run_is_about(flow: str, params: dict, name: str) -> None:
    assert run_name(flow, params) == name
