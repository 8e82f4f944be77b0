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


def test_the_evaluation_report_in_indonesian_has_no_english_headings_or_reasons(tmp_path) -> None:
    import pandas as pd

    from diklat.report.evaluation import render_html

    figures = {"rate": 80.0, "l1_score": 4.2, "l2_gain": 12.5, "l3_overall": 3.9, "l4_impact": 3.5}
    figures |= {"sustainability_rate": 75.0, "follow_up": 1, "l1_by_aspect": {"materi": 4.1}}
    per_cohort = pd.DataFrame([{"wave": "3m", "cohort_id": 1, **figures}])
    per_programme = pd.DataFrame([{"wave": "3m", **figures}])
    follow_up = pd.DataFrame(
        [
            {
                "alumnus_nip": "198001012005011001",
                "wave": "3m",
                "follow_up_reasons": ["ap.stopped", "behaviour.below_threshold"],
            }
        ]
    )
    page = render_html(
        "Evaluasi", per_cohort, per_programme, {1: "Angkatan 1"}, follow_up, tmp_path / "e.html", language="id"
    ).read_text()
    assert "Seluruh program" in page and "aksi perubahan berhenti" in page and "skor perilaku di bawah" in page
    for english in ("Whole programme", "change action stopped", "behaviour score below threshold", "Follow-up"):
        assert english not in page
    assert "198001012005011001" not in page and "198001**********01" in page
    empty = render_html("Evaluasi", per_cohort, per_programme, {}, follow_up.iloc[:0], tmp_path / "f.html", "id")
    assert "Tidak ada alumni yang perlu ditindaklanjuti." in empty.read_text()
