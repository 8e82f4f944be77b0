"""A run started from a file in the inbox leaves its outcome beside that file, in the operator's words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diklat.bootstrap import services
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from tests.helpers import open_params

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture
def indonesian(settings, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The operator's default language (the suite's settings are English)."""
    from diklat.settings import get_settings

    monkeypatch.setenv("DIKLAT_LANGUAGE", "id")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _dropped(frame: pd.DataFrame, name: str) -> Path:
    """Where the watcher puts a taken file: the cohort's diproses/ folder in the inbox."""
    path = services().settings.inbox / "PKP Kota Jambi 2022" / "angkatan-1" / "diproses" / name
    path.parent.mkdir(parents=True)
    return write_table(frame, path)


def test_rejected_rows_and_a_note_with_counts_come_back_to_the_cohort_folder(indonesian) -> None:
    synth = make_roster(8, seed=4, faults=2)
    roster = _dropped(synth.frame, "peserta.csv")
    state = open_cohort(open_params(roster), return_state=True)
    counts = state.result().counts
    assert counts.rows_quarantined == 2
    note = roster.with_name("peserta.csv.hasil.txt").read_text(encoding="utf-8")
    assert "Diproses: 8 baris dibaca, 6 diterima, 2" in note
    results = roster.parent.parent / "hasil"
    [rejected] = results.iterdir()
    assert f"hasil/{rejected.name}" in note
    assert rejected.suffix == ".xlsx" and len(pd.read_excel(rejected, dtype=str)) == 2

    # the same file again: the same results, nothing added
    open_cohort(open_params(roster), return_state=True)
    assert [p.name for p in results.iterdir()] == [rejected.name]


def test_a_file_refused_whole_says_why_beside_it(indonesian) -> None:
    roster = _dropped(pd.DataFrame({"TANGGAL": ["1"], "APA": ["x"]}), "bukan-peserta.csv")
    state = open_cohort(open_params(roster), return_state=True)
    assert state.is_failed()
    note = roster.with_name("bukan-peserta.csv.hasil.txt").read_text(encoding="utf-8")
    assert note.startswith("Tidak diproses: ") and "bukan-peserta.csv" in note
    assert not (roster.parent.parent / "hasil").exists()


def test_a_run_of_a_file_outside_the_inbox_leaves_nothing_there(settings, tmp_path: Path) -> None:
    roster = write_table(make_roster(3, seed=5).frame, tmp_path / "peserta.csv")
    assert open_cohort(open_params(roster), return_state=True).is_completed()
    assert not list(tmp_path.glob("*.hasil.txt")) and not services().settings.inbox.exists()
