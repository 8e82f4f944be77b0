"""The inbox watcher: a settled file in a cohort's folder is announced for its run; anything else gets a note."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from diklat.inbox import Watcher
from diklat.synth.roster import make_roster, write_table

pytestmark = pytest.mark.integration
PROGRAM = "PKP Kota Jambi 2022"


@pytest.fixture
def inbox(sqlite_settings, tmp_path: Path) -> tuple[Watcher, list]:
    announced: list = []
    return Watcher(tmp_path / "inbox", settle_seconds=2, emit=announced.append), announced


def drop(watcher: Watcher, folder: str, name: str, frame: pd.DataFrame, age: float = 10) -> Path:
    path = watcher.inbox / PROGRAM / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(frame, path)
    old = path.stat().st_mtime - age
    os.utime(path, (old, old))
    return path


def settle(watcher: Watcher) -> list:
    """Two polls a settle period apart, as the watcher's loop would make them."""
    import time

    now = time.time()
    watcher.poll(now=now)
    return watcher.poll(now=now + 3)


def test_a_roster_for_a_new_cohort_is_moved_aside_and_announced_with_its_start(inbox, english) -> None:
    watcher, announced = inbox
    drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(5, seed=1).frame)
    [(moved, what)] = settle(watcher)
    assert what == "started" and moved.parent.name == "diproses" and moved.exists()
    [arrival] = announced
    labels = arrival.labels()
    assert (labels["diklat.kind"], labels["diklat.program"], labels["diklat.cohort"]) == ("roster", PROGRAM, "1")
    assert labels["diklat.start"] == "2022-07-14" and labels["diklat.path"] == str(moved.resolve())


def test_the_same_content_dropped_again_starts_nothing_and_says_so(inbox, english) -> None:
    watcher, announced = inbox
    first = drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(5, seed=1).frame)
    # The same bytes, as an operator drops the same file twice: openpyxl stamps each save with the time,
    # so writing the frame again a second later would be a different file.
    same = first.read_bytes()
    settle(watcher)
    again = first.with_name("lagi.xlsx")
    again.write_bytes(same)
    old = again.stat().st_mtime - 10
    os.utime(again, (old, old))
    [(moved, what)] = settle(watcher)
    assert what == "duplicate" and len(announced) == 1
    assert "was already processed" in moved.with_name(moved.name + ".txt").read_text()


def test_a_file_of_no_known_kind_goes_to_tidak_dikenali_with_a_note_and_the_next_file_goes_on(
    inbox, monkeypatch
) -> None:
    from diklat.settings import get_settings

    monkeypatch.setenv("DIKLAT_LANGUAGE", "id")  # the operator's language
    get_settings.cache_clear()
    watcher, announced = inbox
    drop(watcher, "angkatan-1 mulai 2022-07-14", "a-laporan.xlsx", pd.DataFrame({"No": [1], "Uraian": ["x"]}))
    drop(watcher, "angkatan-1 mulai 2022-07-14", "b-peserta.xlsx", make_roster(3, seed=2).frame)
    outcomes = settle(watcher)
    assert [what for _, what in outcomes] == ["unknown", "started"]
    note = outcomes[0][0].with_name("a-laporan.xlsx.txt")
    assert outcomes[0][0].parent.name == "tidak-dikenali"
    assert note.read_text().startswith("diklat tidak dapat mengenali jenis berkas a-laporan.xlsx")


def test_a_roster_for_a_cohort_never_opened_and_without_a_date_is_explained(inbox, english) -> None:
    watcher, announced = inbox
    drop(watcher, "angkatan-2", "peserta.csv", make_roster(3, seed=3).frame)
    [(moved, what)] = settle(watcher)
    assert what == "unknown" and not announced
    assert "has not been opened yet" in moved.with_name(moved.name + ".txt").read_text()


def test_a_file_still_being_copied_is_left_alone_until_it_settles(inbox) -> None:
    watcher, announced = inbox
    path = drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.csv", make_roster(3, seed=4).frame, age=0)
    assert watcher.poll(now=path.stat().st_mtime + 0.1) == []  # just written
    with path.open("a") as grow:  # the copy goes on
        grow.write("\n")
    assert watcher.poll(now=path.stat().st_mtime + 1) == []  # changed since the last look
    assert [what for _, what in watcher.poll(now=path.stat().st_mtime + 5)] == ["started"]


def test_partial_and_temporary_files_are_never_taken(inbox) -> None:
    watcher, announced = inbox
    for name in ("peserta.xlsx.part", "~$peserta.xlsx"):
        path = drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(3, seed=5).frame)
        path.rename(path.with_name(name))
    assert settle(watcher) == [] and not announced


def test_a_file_outside_any_cohort_folder_is_explained(inbox, english) -> None:
    watcher, _ = inbox
    path = watcher.inbox / "loose.xlsx"
    write_table(make_roster(2, seed=6).frame, path)
    old = path.stat().st_mtime - 10
    os.utime(path, (old, old))
    [(moved, what)] = settle(watcher)
    assert what == "unknown" and "is not in a cohort's folder" in moved.with_name("loose.xlsx.txt").read_text()


def test_files_wait_in_place_while_the_server_cannot_be_told(sqlite_settings, tmp_path: Path) -> None:
    announced: list = []
    up = {"now": False}
    watcher = Watcher(tmp_path / "inbox", settle_seconds=2, emit=announced.append, reachable=lambda: up["now"])
    path = drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(3, seed=7).frame)
    assert settle(watcher) == [] and path.exists() and not announced  # nothing moved, nothing lost
    up["now"] = True
    assert [what for _, what in settle(watcher)] == ["started"] and len(announced) == 1


def test_a_tab_separated_txt_export_is_taken_and_a_pdf_is_refused_with_a_reason(inbox, english) -> None:
    watcher, announced = inbox
    folder = watcher.inbox / PROGRAM / "angkatan-1 mulai 2022-07-14"
    folder.mkdir(parents=True)
    frame = make_roster(3, seed=8).frame
    (folder / "export.txt").write_text(frame.to_csv(sep="\t", index=False), encoding="utf-8")
    (folder / "surat.pdf").write_bytes(b"%PDF-1.4 not a table")
    for path in folder.iterdir():
        os.utime(path, (path.stat().st_mtime - 10,) * 2)
    outcomes = dict((moved.name, what) for moved, what in settle(watcher))
    assert outcomes == {"export.txt": "started", "surat.pdf": "unknown"}
    assert ".pdf" in (folder / "tidak-dikenali" / "surat.pdf.txt").read_text()


def test_a_coaches_file_is_kept_for_its_form_and_the_form_takes_the_name_the_note_gives(
    sqlite_settings, english
) -> None:
    from diklat.bootstrap import services
    from diklat.synth.roster import coaches_frame
    from tasks.common import operator_file

    watcher = Watcher(services().settings.inbox, settle_seconds=2, emit=[].append)
    drop(watcher, "angkatan-1", "Widyaiswara.xlsx", coaches_frame(3, seed=2))
    [(moved, what)] = settle(watcher)
    assert what == "for-form" and moved.parent.name == "untuk-formulir"
    name = f"{PROGRAM}/angkatan-1/untuk-formulir/Widyaiswara.xlsx"
    note = moved.with_name(moved.name + ".txt").read_text()
    assert "open-cohort form" in note and note.rstrip().endswith(name)
    assert operator_file(name) == moved  # what an operator types in the form finds the file
    assert settle(watcher) == []  # kept, never taken again
    assert operator_file("/elsewhere/x.xlsx") == Path("/elsewhere/x.xlsx")


def test_an_announcement_that_started_no_run_is_made_again_then_the_operator_is_told(inbox, english) -> None:
    """Prefect sends events in the background: one lost on the way (a server restart) would leave a file
    in diproses/ with no run. The watcher checks, announces again, and after three tries says so."""
    watcher, announced = inbox
    watcher.started = lambda arrival, since: False  # the run never appears
    drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(5, seed=1).frame)
    [(moved, what)] = settle(watcher)
    assert what == "started" and len(announced) == 1
    first = watcher._ledger()[announced[0].sha256]["announced"][0]
    assert watcher.confirm(first + 30) == []  # not yet: a run takes a moment to be created
    assert len(watcher.confirm(first + 61)) == 1 and len(announced) == 2
    assert len(watcher.confirm(first + 122)) == 1 and len(announced) == 3
    assert watcher.confirm(first + 183) == [] and len(announced) == 3  # three tries, then the operator
    note = moved.with_name(moved.name + ".txt").read_text()
    assert "no run started for it" in note and note.rstrip().endswith(
        f"{PROGRAM}/angkatan-1 mulai 2022-07-14/diproses/peserta.xlsx"
    )
    assert watcher.confirm(first + 500) == [] and len(announced) == 3


def test_a_file_whose_run_exists_is_confirmed_and_never_announced_again(inbox, english) -> None:
    watcher, announced = inbox
    asked = []
    watcher.started = lambda arrival, since: asked.append(arrival.path.name) or True
    drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(5, seed=1).frame)
    settle(watcher)
    first = watcher._ledger()[announced[0].sha256]["announced"][0]
    assert watcher.confirm(first + 61) == [] and asked == ["peserta.xlsx"]
    assert watcher.confirm(first + 999) == [] and asked == ["peserta.xlsx"] and len(announced) == 1


def test_a_watcher_killed_between_taking_a_file_and_announcing_it_announces_it_at_the_next_poll(inbox, english) -> None:
    watcher, announced = inbox
    watcher.started = lambda arrival, since: True
    real = watcher.emit

    def dies(arrival) -> None:  # noqa: ANN001
        watcher.emit = real
        raise KeyboardInterrupt  # the process ends here: the ledger has the file, nothing was sent

    watcher.emit = dies
    drop(watcher, "angkatan-1 mulai 2022-07-14", "peserta.xlsx", make_roster(5, seed=1).frame)
    with pytest.raises(KeyboardInterrupt):
        settle(watcher)
    assert announced == []
    restarted = Watcher(watcher.inbox, settle_seconds=2, emit=announced.append, started=lambda a, s: True)
    restarted.poll()
    assert len(announced) == 1 and announced[0].path.name == "peserta.xlsx"
