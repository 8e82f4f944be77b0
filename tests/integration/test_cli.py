"""The `diklat` command as an operator runs it: exit codes, one clear sentence, no traceback.

File-level problems stop the run (exit 4) with a message naming the file and what is wrong, and
save nothing; usage errors exit 2; a clean roster exits 0; a roster with bad rows exits 3 and shows
the bad rows with their NIPs masked.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

# Importing the flow configures Prefect's logging now, on pytest's stderr. Configured first inside
# CliRunner.invoke, its console handler would keep that invocation's (then closed) stream and print
# "--- Logging error --- Traceback" into every later invocation's output.
import flows.open_cohort  # noqa: F401, I001
from diklat.bootstrap import services
from diklat.cli import EXIT_BLOCKED, EXIT_INTERNAL, EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE, app
from diklat.synth.roster import make_roster, write_table
from schemas import tables as t

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]

START = "2022-07-14"
TODAY = date.fromisoformat(START)
PROGRAMME = "PKP Kota Jambi 2022"


def run(*args: str) -> tuple[int, str]:
    """Invoke `diklat ...`; returns the exit code and the output with line wrapping undone."""
    from diklat.cli.base import console

    # The console measured its width once, from wherever the process started (a pipe under xdist: 80).
    width, console.width = console.width, 250
    try:
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    finally:
        console.width = width
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash inside the command must fail the test, not hide in the output
    return result.exit_code, " ".join(result.output.split())


def open_cohort(roster: Path, *extra: str) -> tuple[int, str]:
    return run(
        "open-cohort",
        "--program",
        PROGRAMME,
        "--cohort",
        "1",
        "--start",
        START,
        "--roster",
        str(roster),
        "--today",
        START,
        *extra,
    )


def saved() -> dict[str, int]:
    """How many cohorts, enrolments and quarantined rows the database holds."""
    with services().unit_of_work() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in (("cohorts", t.Cohort), ("enrolments", t.Enrolment), ("quarantined", t.QuarantinedRow))
        }


def roster_csv(path: Path, rows: int = 5, seed: int = 7) -> Path:
    return write_table(make_roster(rows, seed=seed, today=TODAY).frame, path)


# ---- file-level problems: each a function writing the bad file into a folder ----


def missing(folder: Path) -> Path:
    return folder / "roster-missing.csv"


def old_excel(folder: Path) -> Path:
    path = folder / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # the OLE2 header of Excel 97-2003
    return path


def pdf(folder: Path) -> Path:
    path = folder / "roster.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    return path


def pdf_renamed_csv(folder: Path) -> Path:
    path = folder / "roster.csv"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x01\x02%%EOF\n")
    return path


def corrupt_xlsx(folder: Path) -> Path:
    path = folder / "roster.xlsx"
    path.write_bytes(random.Random(3).randbytes(4096))
    return path


def empty_csv(folder: Path) -> Path:
    path = folder / "roster.csv"
    path.write_bytes(b"")
    return path


def empty_workbook(folder: Path) -> Path:
    path = folder / "roster.xlsx"
    Workbook().save(path)
    return path


def header_only_csv(folder: Path) -> Path:
    path = folder / "roster.csv"
    path.write_text("NIP,NAMA,GOL/RUANG,JABATAN,UNIT KERJA\n", encoding="utf-8")
    return path


def without_name_and_rank(folder: Path) -> Path:
    frame = make_roster(5, seed=7, today=TODAY).frame.drop(columns=["NAMA", "GOL/RUANG"])
    return write_table(frame, folder / "roster.csv")


def nip_twice(folder: Path) -> Path:
    path = folder / "roster.csv"
    path.write_text(
        "NIP,NAMA,GOL/RUANG,JABATAN,UNIT KERJA,NIP\n"
        "198107122014051001,Ahmad,III/b,Kepala Seksi,Dinas Pendidikan,198107122014051001\n",
        encoding="utf-8",
    )
    return path


FILE_PROBLEMS = [
    pytest.param(missing, "roster-missing.csv", ("was not found", "Check the path"), id="file not found"),
    pytest.param(
        old_excel,
        "roster.xls",
        ("type '.xls'", "cannot be read", "Save it as .xlsx or .csv"),
        id="old Excel 97-2003 file",
    ),
    pytest.param(pdf, "roster.pdf", ("type '.pdf'", "Save it as .xlsx or .csv"), id="PDF file"),
    pytest.param(
        pdf_renamed_csv, "roster.csv", ("cannot be opened", "not a text (CSV) file"), id="PDF renamed to .csv"
    ),
    pytest.param(
        corrupt_xlsx,
        "roster.xlsx",
        ("cannot be opened", "not a valid Excel workbook"),
        id="corrupt xlsx of random bytes",
    ),
    pytest.param(empty_csv, "roster.csv", ("has no data rows",), id="empty file of 0 bytes"),
    pytest.param(empty_workbook, "roster.xlsx", ("has no data rows",), id="Excel workbook with an empty sheet"),
    pytest.param(
        header_only_csv,
        "roster.csv",
        ("has no data rows", "at least one row below the header"),
        id="CSV with only the header row",
    ),
    pytest.param(
        without_name_and_rank,
        "roster.csv",
        ("missing the required column(s): NAMA, GOL/RUANG",),
        id="CSV without NAMA and GOL/RUANG columns",
    ),
    pytest.param(
        nip_twice,
        "roster.csv",
        ("several columns for NIP", "Keep only one of them"),
        id="CSV with the NIP column twice",
    ),
]


@pytest.mark.parametrize(("make_file", "file_name", "words"), FILE_PROBLEMS)
def test_a_file_problem_stops_the_run_with_one_message_naming_the_file(
    sqlite_settings, tmp_path: Path, make_file: Callable[[Path], Path], file_name: str, words: tuple[str, ...]
) -> None:
    code, output = open_cohort(make_file(tmp_path))

    assert code == EXIT_BLOCKED, output
    assert f"Stopped: The file {file_name}" in output
    for word in words:
        assert word in output, f"{word!r} not in {output!r}"
    assert "Traceback" not in output
    assert saved() == {"cohorts": 0, "enrolments": 0, "quarantined": 0}


USAGE_ERRORS = [
    pytest.param(("--start", "2022-13-01"), ("start", "valid date"), id="start date with month 13"),
    pytest.param(("--start", "14/07/2022"), ("start", "valid date"), id="start date written day first"),
    pytest.param(
        ("--cohort", "0"), ("Invalid value for '--cohort'", "greater than or equal to 1"), id="cohort number 0"
    ),
    pytest.param(("--cohort", "satu"), ("Invalid value for '--cohort'", "valid integer"), id="cohort number in words"),
]


@pytest.mark.parametrize(("override", "words"), USAGE_ERRORS)
def test_a_bad_option_is_a_usage_error_that_saves_nothing(
    sqlite_settings, tmp_path: Path, override: tuple[str, str], words: tuple[str, ...]
) -> None:
    options = {
        "--program": PROGRAMME,
        "--cohort": "1",
        "--start": START,
        "--roster": str(roster_csv(tmp_path / "roster.csv")),
        "--today": START,
    }
    options[override[0]] = override[1]

    code, output = run("open-cohort", *(part for pair in options.items() for part in pair))

    assert code == EXIT_USAGE, output
    for word in words:
        assert word in output, f"{word!r} not in {output!r}"
    assert "Traceback" not in output
    assert saved() == {"cohorts": 0, "enrolments": 0, "quarantined": 0}


def test_a_clean_roster_exits_0_and_status_lists_the_cohort(sqlite_settings, tmp_path: Path) -> None:
    code, output = open_cohort(roster_csv(tmp_path / "roster.csv"))

    assert code == EXIT_OK, output
    assert all(part in output for part in ("5 rows read", "5 accepted", "0 quarantined", "5 participants enrolled"))
    assert "Traceback" not in output
    assert saved()["enrolments"] == 5

    code, output = run("status", "--json")
    assert code == EXIT_OK, output
    [cohort] = json.loads(output)
    assert (cohort["programme"], cohort["cohort"], cohort["start"]) == (PROGRAMME, 1, START)
    assert (cohort["enrolled"], cohort["quarantined_open"]) == (5, 0)


def test_a_roster_with_a_bad_row_exits_3_and_shows_the_nip_masked(sqlite_settings, tmp_path: Path) -> None:
    frame = make_roster(5, seed=7, today=TODAY).frame
    good_nip = frame.loc[2, "NIP"].replace(" ", "")
    bad_nip = good_nip[:14] + "3" + good_nip[15:]  # gender digit 3: a NIP-shaped value, still personal data
    frame.loc[2, "NIP"] = bad_nip

    code, output = open_cohort(write_table(frame, tmp_path / "roster.csv"))

    assert code == EXIT_QUARANTINED, output
    assert all(part in output for part in ("5 rows read", "4 accepted", "1 quarantined", "4 participants enrolled"))
    assert f"{bad_nip[:6]}**********{bad_nip[-2:]}" in output
    assert "digit 15 must be 1 (male) or 2 (female)" in output
    assert bad_nip not in output.replace(" ", "")
    assert "Fix the rows in" in output and "roster-rejected-batch-" in output
    assert "Traceback" not in output
    assert saved()["enrolments"] == 4

    code, output = run("status", "--json")
    [cohort] = json.loads(output)
    assert (cohort["cohort"], cohort["enrolled"], cohort["quarantined_open"]) == (1, 4, 1)


def test_every_plan_option_reaches_the_flow(sqlite_settings, tmp_path: Path, monkeypatch) -> None:
    import flows.plan_cohorts

    seen = {}

    class Stop(Exception):
        pass

    def capture(params, return_state=False):  # noqa: ANN001, ANN202
        seen["params"] = params
        raise Stop

    monkeypatch.setattr(flows.plan_cohorts, "plan_cohorts", capture)
    CliRunner().invoke(
        app,
        [
            "plan",
            "--personnel",
            str(tmp_path / "p.csv"),
            "--program",
            "PKP 2023",
            "--year",
            "2023",
            "--cohorts",
            "9",
            "--capacity",
            "25",
            "--max-unit-share",
            "0.4",
            "--classrooms",
            "3",
            "--as-of",
            "2023-01-02",
        ],
    )
    params = seen["params"]
    assert (params.cohorts_per_year, params.capacity, str(params.max_unit_share), params.classrooms) == (
        9,
        25,
        "0.4",
        3,
    )
    assert params.as_of == date(2023, 1, 2)


def test_open_cohorts_opens_an_intake_and_exits_3_with_the_files_to_fix(sqlite_settings, tmp_path: Path) -> None:
    from diklat.synth.manifest import write_manifest

    rows = []
    for number in (1, 2):
        synth = make_roster(30, seed=40 + number, today=TODAY, faults=number - 1)
        rows.append({"cohort": number, "start": TODAY, "roster": write_table(synth.frame, tmp_path / f"a{number}.csv")})
    manifest = write_manifest(rows, tmp_path / "daftar.csv")

    code, output = run("open-cohorts", "--program", "PKP Prov", "--manifest", str(manifest), "--today", START)

    assert code == EXIT_QUARANTINED, output
    assert "2 cohorts opened; rows read 60 = accepted 59 + quarantined 1." in output
    assert "roster-rejected-batch-2.xlsx" in output
    code, output = run("open-cohorts", "--program", "PKP Prov", "--manifest", str(manifest), "--json")
    data = json.loads(output)
    assert [c["already_processed"] for c in data["cohorts"]] == [True, True]


def test_open_cohorts_names_the_cohort_held_back_and_exits_4(sqlite_settings, tmp_path: Path) -> None:
    from diklat.synth.manifest import write_manifest

    roster = write_table(make_roster(30, seed=44, today=TODAY).frame, tmp_path / "a1.csv")
    rows = [
        {"cohort": 1, "start": TODAY, "roster": roster},
        {"cohort": 2, "start": TODAY, "roster": tmp_path / "x.csv"},
    ]
    manifest = write_manifest(rows, tmp_path / "daftar.csv")

    code, output = run("open-cohorts", "--program", "PKP Prov", "--manifest", str(manifest), "--today", START)

    assert code == EXIT_BLOCKED, output
    assert "Cohort 2 (row 3): The file x.csv was not found." in output
    assert "Traceback" not in output


def test_assess_cohorts_grades_a_cohort_list_and_names_a_cohort_held_back(sqlite_settings, tmp_path: Path) -> None:
    from diklat.synth.manifest import write_manifest
    from diklat.synth.roster import coaches_frame
    from diklat.synth.scores import make_scores
    from diklat.templates import resolve_template

    coaches = coaches_frame(3, seed=5)
    coaches_file = write_table(coaches, tmp_path / "coaches.csv")
    rows, sheets = [], []
    for number in (1, 2):
        synth = make_roster(30, seed=60 + number, today=TODAY)
        roster = write_table(synth.frame, tmp_path / f"a{number}.csv")
        rows.append({"cohort": number, "start": TODAY, "roster": roster, "coaches": coaches_file})
        scores = make_scores([p.nip for p in synth.people], list(coaches["NIP"]), resolve_template("PKP").assessment, 1)
        sheets.append({"cohort": number, "scores": write_table(scores.frame, tmp_path / f"nilai{number}.csv")})
    opened = write_manifest(rows, tmp_path / "daftar.csv")
    assert run("open-cohorts", "--program", "PKP Prov", "--manifest", str(opened), "--today", START)[0] == EXIT_OK

    code, output = run(
        "assess-cohorts", "--manifest", str(write_manifest(sheets, tmp_path / "daftar-nilai.csv")), "--no-documents"
    )

    assert code == EXIT_OK, output
    assert "2 cohorts graded, 0 held back; score rows quarantined: 0." in output
    sheets.append({"cohort": 9, "scores": sheets[0]["scores"]})
    code, output = run(
        "assess-cohorts", "--manifest", str(write_manifest(sheets, tmp_path / "daftar-nilai-2.csv")), "--json"
    )
    assert code == EXIT_BLOCKED, output
    data = json.loads(output)
    assert [h["cohort"] for h in data["held_back"]] == [9]
    assert "There is no cohort 9 in programme 'PKP Prov'" in data["held_back"][0]["reason"]


def test_decisions_run_as_flows_with_the_same_words_and_exit_codes(sqlite_settings, tmp_path: Path) -> None:
    synth = make_roster(5, seed=7, today=TODAY)
    assert open_cohort(write_table(synth.frame, tmp_path / "roster.csv"))[0] == EXIT_OK
    nip = synth.people[0].nip
    withdraw = ("withdraw", "--cohort", "1", "--nip", nip, "--reason", "mutasi", "--on", "2022-08-01")

    assert run(*withdraw) == (EXIT_OK, "Recorded.")
    assert run(*withdraw) == (EXIT_OK, "Nothing to change: already recorded.")
    code, output = run("waive", "--cohort", "1", "--nip", nip, "--milestone", "nope", "--reason", "tidak perlu")
    assert code == EXIT_USAGE and "There is no milestone 'nope' in this cohort." in output, output
    code, output = run(
        "move-milestone", "--cohort", "1", "--milestone", "rancangan", "--to", "2023-01-01", "--reason", "jadwal baru"
    )
    assert code == EXIT_USAGE and "The date 2023-01-01 is outside the cohort" in output, output
    code, output = run("withdraw", "--cohort", "7", "--nip", nip, "--reason", "mutasi")
    assert code == EXIT_USAGE and "There is no cohort 7 in programme 'PKP Kota Jambi 2022'" in output, output
    assert "Traceback" not in output


def test_a_fault_inside_a_flow_exits_1_with_the_details_in_the_error_log_not_on_the_console(
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import task

    @task
    def broken_save(*_args: object) -> None:
        raise RuntimeError("INSERT failed for 198001012005011001 Budi Santoso")

    monkeypatch.setattr("flows.open_cohort.save_enrolments", broken_save)
    roster = write_table(make_roster(3, seed=4).frame, tmp_path / "roster.csv")
    code, output = open_cohort(roster)
    assert code == EXIT_INTERNAL
    assert "198001012005011001" not in output and "Budi" not in output
    log = (settings.data_dir / "diklat-error.log").read_text()
    assert "INSERT failed" in log


def test_an_unreachable_prefect_server_is_named_with_what_to_do(tmp_path: Path) -> None:
    """A separate process, as an operator would run it: the harness's server is not in its settings."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "DIKLAT_DATA_DIR": str(tmp_path / "data"),
        "DIKLAT_DATABASE_URL": f"sqlite:///{tmp_path / 'diklat.db'}",
        "DIKLAT_LANGUAGE": "en",
        "COLUMNS": "250",
    }
    diklat = Path(sys.executable).with_name("diklat")
    done = subprocess.run([str(diklat), "check"], env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == EXIT_INTERNAL
    assert f"The Prefect server at http://127.0.0.1:{port}/api" in done.stdout and "diklat serve" in done.stdout
    assert "Internal error" not in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_serve_beyond_loopback_without_a_login_is_refused_before_anything_starts(
    sqlite_settings, english, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_SERVER_API_AUTH_STRING", raising=False)
    code, output = run("serve", "--host", "0.0.0.0", "--port", "4399", "--no-worker")
    assert code == EXIT_USAGE and "Refusing to serve the console on 0.0.0.0 without a login" in output
    assert not (sqlite_settings.data_dir / "prefect" / "server.json").exists()  # no server was started


def test_a_worker_with_no_server_to_work_for_says_where_to_set_it(sqlite_settings, english) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        code, output = run("worker")
    assert code == EXIT_USAGE and "set PREFECT_API_URL to its API address" in output and "Traceback" not in output
