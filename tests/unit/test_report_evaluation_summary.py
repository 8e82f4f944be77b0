"""What the operator reads after an evaluation run, and the reminder a wave sends (pure text)."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from diklat.domain.evaluation import WaveStatus
from diklat.report.evaluation_summary import evaluation_markdown, headline_rows
from diklat.report.wave_reminders import wave_reminders
from tests.helpers import report_data

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


ENGLISH = re.compile(
    r"\b(the|and|of|with|from|wave|cohort|participants|answers|rated|sustained|behaviour|impact|report|"
    r"follow-up|nobody|whole|programme|reason|conclusions|recommendations|stopped|below|threshold)\b",
    re.IGNORECASE,
)


def _visible(page: str) -> str:
    """The words a reader sees: tags, the style sheet and attribute values left out."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_published_reports_in_indonesian_have_no_english_and_no_person(tmp_path) -> None:
    from pypdf import PdfReader

    from diklat.report.evaluation import render_course_report, render_post_report

    data = report_data()
    course = render_course_report(data, tmp_path / "c.html", "id").read_text()
    post = render_post_report(data, tmp_path / "p.html", "id").read_text()
    printed = [" ".join(page.extract_text() for page in PdfReader(tmp_path / f"{n}.pdf").pages) for n in "cp"]
    for text in printed:  # the PDF says the same, in Indonesian too
        assert ENGLISH.findall(text) == [], ENGLISH.findall(text)[:10]
        assert "198001012005011001" not in text and "Dr. Contoh, M.Si." in text
    assert "Laporan Evaluasi Penyelenggaraan" in printed[0] and "Perbaiki aspek fasilitas" in printed[0]
    assert "Laporan Evaluasi Pasca Pelatihan" in printed[1] and "PKP Kota Jambi 2022 / Angkatan 1" in printed[1]
    for page in (course, post):
        assert ENGLISH.findall(_visible(page)) == [], ENGLISH.findall(_visible(page))[:10]
        assert "198001012005011001" not in page and "198001**********01" not in page  # counts only, no NIP at all
        assert "Dr. Contoh, M.Si." in page and "NIP 197001011995031001" in page and "Jambi, 01-07-2023" in page
        assert "PKP Kota Jambi 2022 / Angkatan 1" in page  # the full label, in the table and above its bar
    assert "Laporan Evaluasi Penyelenggaraan" in course and "Laporan Evaluasi Pasca Pelatihan" in post
    # conclusions by the template's stated thresholds (good at 4.00, poor below 3.00, 80 % sustained)
    assert "Peserta menilai aspek kurikulum, materi, dan metode baik: 4.30 dari 5" in course
    assert "Peserta menilai aspek fasilitas rendah: 2.80 dari 5 (di bawah 3.00 perlu perbaikan)" in course
    assert "Perbaiki aspek fasilitas" in course and "Nilai tes naik rata-rata 16.75 poin" in course
    # the aspects, waves and response rate by name, never by code: 28 of 30 participants answered
    assert "<th>kurikulum, materi, dan metode</th>" in course and ">pendidikan<" not in course
    assert re.search(r"<td>28</td><td>93.33</td>", course)
    three, six = "Gelombang 3 bulan setelah pelatihan", "Gelombang 6 bulan setelah pelatihan"
    assert f"{three}: aksi perubahan yang berlanjut 75.00 %, di bawah target 80.00 %" in post
    assert f"{six}: dampak bagi unit kerja dinilai 2.90 dari 5, rendah" in post
    assert "perilaku kerja naik dari 3.93 menjadi 4.10" in post and "3m" not in _visible(post)
    # the follow-up is aggregated: 2 alumni whose change action stopped, 1 below the behaviour threshold
    assert re.search(r"aksi perubahan berhenti</td><td>2</td>", post)
    assert re.search(r"skor perilaku di bawah ambang batas</td><td>1</td>", post)


def test_a_report_section_without_data_says_so_and_what_would_fill_it(tmp_path) -> None:
    from diklat.report.evaluation import render_course_report, render_post_report

    data = report_data(("3m",))
    course = render_course_report(data, tmp_path / "c.html", "id").read_text()
    assert "Belum ada jawaban akhir pelatihan: muat survei reaksi dan pre/post-test" in course
    assert "<svg" not in course  # no empty chart, no empty heading of a per-aspect chart
    empty = render_post_report(report_data(("course",)), tmp_path / "p.html", "id").read_text()
    assert "Belum ada jawaban pasca pelatihan" in empty
    english = render_post_report(data, tmp_path / "e.html", "en").read_text()
    assert "Post-Training Evaluation Report" in english and "change action stopped" in english


def test_the_follow_up_list_names_whom_to_follow_up_and_is_marked_personal_data(tmp_path) -> None:
    import pandas as pd
    from openpyxl import load_workbook

    from diklat.report.evaluation import write_follow_up_xlsx

    people = pd.DataFrame(
        [
            {
                "nip": "198001012005011001",
                "name": "Siti Aminah",
                "unit": "Dinas Kesehatan",
                "superior_name": "Budi",
                "superior_nip": "197001011995031001",
                "cohort": "Angkatan 1",
                "wave": "3m",
                "follow_up_reasons": ["ap.stopped", "behaviour.below_threshold"],
            },
        ]
    )
    path = write_follow_up_xlsx(people, tmp_path / "tindak-lanjut.xlsx", "id")
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("DATA PRIBADI")
    assert rows[1][:3] == ("NIP", "Nama", "Unit kerja")
    assert [r[0] for r in rows[2:]] == ["198001012005011001"] * 2  # one row per reason, the NIP in full
    assert rows[2][7] == "aksi perubahan berhenti" and rows[2][8].startswith("Kunjungi alumni dan atasannya")
    assert rows[3][7].startswith("skor perilaku di bawah") and rows[3][8].startswith("Atur coaching lanjutan")
