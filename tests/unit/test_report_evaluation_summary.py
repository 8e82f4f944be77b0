"""What the operator reads after an evaluation run, and the reminder a wave sends (pure text)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from diklat.domain.evaluation import WaveStatus
from diklat.report.evaluation_summary import evaluation_markdown, headline_rows
from diklat.report.wave_reminders import wave_reminders

pytestmark = pytest.mark.unit

ALUMNUS = "198001012005011001"


def test_headlines_name_the_cohort_and_show_exact_figures_as_written() -> None:
    per_cohort = pd.DataFrame(
        [
            {
                "cohort_id": 1,
                "wave": "3m",
                "rate": Decimal("83.33"),
                "l1_score": None,
                "l2_gain": Decimal("12.50"),
                "l3_overall": Decimal("3.40"),
                "l4_impact": Decimal("4.00"),
                "sustainability_rate": Decimal("75.00"),
                "follow_up": 2,
            }
        ]
    )
    assert headline_rows(per_cohort, {1: "PKP Kota Jambi 2022 angkatan 1"}) == [
        {
            "cohort": "PKP Kota Jambi 2022 angkatan 1",
            "wave": "3m",
            "rate": "83.33",
            "l1_score": None,
            "l2_gain": "12.50",
            "l3_overall": "3.40",
            "l4_impact": "4.00",
            "sustainability_rate": "75.00",
            "follow_up": "2",
        }
    ]
    assert headline_rows(per_cohort, {})[0]["cohort"] == ""


def test_the_summary_lists_waves_due_and_the_alumni_to_follow_up_with_masked_nips() -> None:
    waves = [WaveStatus(1, "PKP 2022 #1", "3m", "2023-02-01", 36, 5, 4)]
    follow = pd.DataFrame(
        [{"alumnus_nip": ALUMNUS, "wave": "3m", "follow_up_reasons": ["ap.stopped", "behaviour.below_threshold"]}]
    )
    text = evaluation_markdown("PKP Kota Jambi 2022", "2023-02-01", waves, follow, language="en")
    assert text.split("\n") == [
        "### PKP Kota Jambi 2022: 2023-02-01",
        "",
        "- PKP 2022 #1 3m (2023-02-01): 5 / 36 not answered yet",
        "",
        "Alumni to follow up: 1",
        "- 198001**********01 (3m): ap.stopped, behaviour.below_threshold",
    ]
    assert ALUMNUS not in text


def test_with_nothing_due_and_nobody_to_follow_up_the_summary_says_so() -> None:
    follow = pd.DataFrame(columns=["alumnus_nip", "wave", "follow_up_reasons"])
    text = evaluation_markdown("diklat", "2023-01-31", [], follow, language="en")
    assert text == "### diklat: 2023-01-31\n\n\nAlumni to follow up: 0"


def test_one_reminder_per_person_and_channel_keyed_by_wave_person_and_day() -> None:
    messages = wave_reminders(
        7,
        "PKP 2022 #1",
        "3m",
        {"222": ["atasan"], "111": ["alumni", "rekan"]},
        {"111": "ani@example.go.id"},
        date(2023, 2, 1),
        ["smtp", "log"],
        language="en",
    )
    assert [(m.key, m.channel, m.recipient) for m in messages] == [
        ("wave-reminder:7:3m:111:2023-02-01:smtp", "smtp", "ani@example.go.id"),
        ("wave-reminder:7:3m:111:2023-02-01:log", "log", "ani@example.go.id"),
        ("wave-reminder:7:3m:222:2023-02-01:log", "log", "222"),  # no address: no mail, the NIP stands in
    ]
    assert messages[0].subject == "Post-training evaluation 3m: PKP 2022 #1"
    assert "questionnaire (3m) for PKP 2022 #1" in messages[0].body
