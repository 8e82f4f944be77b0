"""Nothing Prefect stores names a person: after the whole seed scenario and runs that fail, every flow run's
parameters and state, every task run's state, every log line, artifact and event is scanned for the NIPs,
names, e-mail addresses and phone numbers of the people in diklat's database."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import insert, select

import diklat.store.roster as roster_store
from diklat.bootstrap import services
from diklat.demo import run_demo
from diklat.synth.roster import make_roster, write_table
from flows.open_cohort import open_cohort
from schemas import tables as t
from tests.helpers import open_params

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("own_prefect_server")]


@pytest.fixture(scope="module")
def own_prefect_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A Prefect server holding this module's runs only: the scan reads back everything the server stored,
    and other test files (before this one, or beside it under pytest-xdist) store their own people."""
    from tests.prefect_template import seeded_test_harness

    with seeded_test_harness(tmp_path_factory):
        yield


# Bounded by anything but word characters, '*' and '-', so the hex digits of a UUID never match.
NIP = re.compile(r"(?<![\w*-])\d{18}(?![\w*])")
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]{2,}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")  # a masked one keeps 1 char
PHONE = re.compile(r"(?<![\w*-])(?:\+62|0)8\d{7,11}(?![\w*])")


def _everything_prefect_stored() -> str:
    """Flow runs, task runs, logs, artifacts and events, as one text."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter

    parts: list[Any] = []
    with get_client(sync_client=True) as client:
        offset = 0
        while runs := client.read_flow_runs(limit=200, offset=offset):
            parts += [(r.name, r.parameters, r.tags, r.state.message if r.state else None) for r in runs]
            offset += len(runs)
        offset = 0
        while tasks := client.read_task_runs(limit=200, offset=offset):
            parts += [(r.name, r.state.message if r.state else None, r.task_inputs) for r in tasks]
            offset += len(tasks)
        offset = 0
        while logs := client.read_logs(log_filter=LogFilter(), limit=200, offset=offset):
            parts += [log.message for log in logs]
            offset += len(logs)
        offset = 0
        while artifacts := client.read_artifacts(limit=200, offset=offset):
            parts += [(a.key, a.description, a.data) for a in artifacts]
            offset += len(artifacts)
        page = client._client.post("/events/filter", json={"limit": 50}).json()
        while page:
            parts += page["events"]
            next_page = page.get("next_page")
            page = client._client.get(next_page).json() if next_page else None
    return json.dumps(parts, default=str, ensure_ascii=False)


def _people() -> tuple[set[str], set[str]]:
    """The NIPs and names diklat holds (employees, coaches, assessors)."""
    with services().unit_of_work() as session:
        nips = set(session.scalars(select(t.Employee.nip)))
        names = set(session.scalars(select(t.Employee.name)))
    return nips, {n for n in names if n and len(n) > 6}


def test_no_nip_name_email_or_phone_reaches_prefect_after_every_flow_and_failing_runs(
    sqlite_settings, tmp_path: Path, monkeypatch
) -> None:
    from datetime import UTC, datetime

    from prefect.automations import Automation

    from diklat.console import stop_background
    from diklat.monitoring import CRASH_AUTOMATION_NAME

    began = datetime.now(UTC)
    # The demo sets its synthetic signatory unless one is set: set here, so it ends with this test.
    monkeypatch.setenv("DIKLAT_SIGNATORY_NAME", "Drs. Hendra Saputra, M.Si.")
    monkeypatch.setenv("DIKLAT_SIGNATORY_NIP", "197203151998031004")
    try:
        run_demo(tmp_path / "demo", Console(file=open(tmp_path / "demo.log", "w"), width=200))  # noqa: SIM115
    finally:
        Automation.read(name=CRASH_AUTOMATION_NAME).delete()  # the demo sets it up; other tests set their own
        stop_background(sqlite_settings)  # the worker and the watcher the demo leaves running

    # Every stage of the demo ran as a run of its deployment, as an operator starts one from the UI.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime

    with get_client(sync_client=True) as client:
        since = FlowRunFilter(start_time=FlowRunFilterStartTime(after_=began))
        demo_runs = client.read_flow_runs(flow_run_filter=since, limit=200)
    assert len(demo_runs) >= 30 and all(r.deployment_id for r in demo_runs), [
        r.name for r in demo_runs if not r.deployment_id
    ]

    # The demo's published reports have a figure in every L1-L4 cell, for both cohorts and both waves.
    _assert_reports_complete(sqlite_settings.outputs / "evaluasi" / "pkp-kota-jambi-2022")

    # Runs that fail: a file without its NIP column, and a database that refuses a write mid-run.
    people = make_roster(25, seed=77).frame
    assert open_cohort(
        open_params(write_table(people.drop(columns=["NIP"]), tmp_path / "no-nip.csv"), cohort=7), return_state=True
    ).is_failed()

    def refused(session, new):  # noqa: ANN001, ANN202 - a real error quoting a real row
        row = new.iloc[0]
        session.execute(insert(t.Employee), [{"nip": row["nip"], "name": row["name"], "email": row.get("email")}])
        return {}

    monkeypatch.setattr(roster_store, "_save_enrolments", refused)
    failed = open_cohort(open_params(write_table(people, tmp_path / "ok.csv"), cohort=8), return_state=True)
    assert failed.is_failed() and "IntegrityError" in failed.message

    stored = _everything_prefect_stored()
    nips, names = _people()
    assert len(nips) >= 60 and len(stored) > 100_000  # the scenario really ran and was really read back
    leaked_nips = {n for n in NIP.findall(stored)}
    assert not leaked_nips, f"{len(leaked_nips)} unmasked NIPs, e.g. {sorted(leaked_nips)[:1]}"
    assert not EMAIL.findall(stored), EMAIL.findall(stored)[:3]
    assert not PHONE.findall(stored), PHONE.findall(stored)[:3]
    leaked_names = [n for n in names if n in stored]
    assert not leaked_names, f"{len(leaked_names)} names, e.g. {leaked_names[:2]}"
    planted = people.iloc[0]
    assert planted["NIP"] not in stored and planted["NAMA"] not in stored


def _tables(page: str) -> list[list[list[str]]]:
    """Every table of an HTML page as rows of cell texts (header row included)."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[list[list[str]]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "table":
                self.tables.append([])
            elif tag == "tr":
                self.tables[-1].append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.tables[-1][-1].append("".join(self.cell).strip())
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Tables()
    parser.feed(page)
    return parser.tables


def _assert_reports_complete(folder: Path) -> None:
    """Issue #18: the L1 and L2 columns were "–" for every cohort, and the L1 charts empty headings."""
    number = re.compile(r"^\d+(\.\d+)?$")
    course = (folder / "evaluasi-penyelenggaraan.html").read_text(encoding="utf-8")
    post = (folder / "evaluasi-pasca-pelatihan.html").read_text(encoding="utf-8")
    cohorts, l1, l2, *_ = _tables(course)
    assert [row[0] for row in l1[1:]] == [row[0] for row in l2[1:]] == [row[0] for row in cohorts[1:]]
    assert len(l1) == 3 and len(l1[0]) == 8  # two cohorts; respondents, response rate, four aspects, L1 overall
    for row in [*l1[1:], *l2[1:]]:
        assert all(number.match(cell) for cell in row[1:]), row
    waves = [table for table in _tables(post) if table[0][1] == "Response rate (%)"]
    assert len(waves) == 2 and all(len(table) == 3 for table in waves)  # +3 and +6 months, two cohorts each
    for row in [r for table in waves for r in table[1:]]:
        assert all(number.match(cell) for cell in row[1:7]), row  # L3 self, superior, peers, overall, L4
    assert (folder / "evaluasi-penyelenggaraan.pdf").stat().st_size > 10_000
    assert (folder / "evaluasi-pasca-pelatihan.pdf").stat().st_size > 10_000
