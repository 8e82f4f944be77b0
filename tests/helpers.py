"""Test helpers: database snapshots, synthetic files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from diklat.db.engine import engine_for
from schemas.tables import Base


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database through SQLite's online backup: whole and consistent even while another
    process holds it open in write-ahead-log mode (a plain file copy could miss the log's pages)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal snapshots mean nothing changed."""
    out = {}
    with engine_for(url).connect() as conn:
        for name, table in Base.metadata.tables.items():
            rows = conn.execute(select(table)).all()
            out[name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def counts(url: str) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(url).items()}


def open_params(roster: Path, cohort: int = 1, start: date = date(2022, 7, 14), **extra: Any):  # noqa: ANN201
    from schemas.params import OpenCohort

    return OpenCohort(
        program="PKP Kota Jambi 2022", cohort=cohort, start=start, roster=str(roster), today=start, **extra
    )


def run_artifacts(flow_run_id: Any) -> dict[str, str]:
    """Artifact key -> its content, for one flow run on the current Prefect server."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read() -> dict[str, str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
            )
        return {a.key: str(a.data) for a in found if a.key}

    return asyncio.run(read())


def task_run_count(flow_run_id: Any) -> int:
    """How many task runs the Prefect server recorded for one flow run, once the count has settled.

    Prefect 3 records task runs from events the engine sends in the background, so right after a
    flow returns, a loaded server may not have them all yet (seen under pytest-xdist): the client's
    event queue is drained, then the count is read until every run is final and it holds for a second.
    """
    import asyncio
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.events.worker import EventsWorker

    async def runs() -> list:
        # The API answers at most 200 runs per call: page through them.
        out: list = []
        async with get_client() as client:
            while True:
                page = await client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])), limit=200, offset=len(out)
                )
                out += page
                if len(page) < 200:
                    return out

    EventsWorker.drain_all(timeout=30, at_exit=False)
    seen, stable_since, deadline = -1, time.monotonic(), time.monotonic() + 60
    while True:
        found = asyncio.run(runs())
        final = all(r.state is not None and r.state.is_final() for r in found)
        if len(found) != seen or not final:
            seen, stable_since = len(found), time.monotonic()
        elif time.monotonic() - stable_since >= 1.0 or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def enrol_clean_roster(  # noqa: ANN201
    session,  # noqa: ANN001
    tmp_path: Path,
    programme: str,
    start: date,
    n: int = 4,
    seed: int = 9,
    number: int = 1,
    template: str = "PKP",
):
    """Open cohort ``number`` (1) and enrol a clean synthetic roster through the gate and the store (no flows).

    Returns the cohort's ref and the gated roster (the store's own tests build on it).
    """
    from diklat.gate.roster import gate_roster
    from diklat.gate.suites import RosterRules
    from diklat.io.read import read_table
    from diklat.store import cohorts
    from diklat.store.roster import save_roster
    from diklat.synth.roster import make_roster, write_table
    from diklat.templates import resolve_template
    from schemas.files import ROSTER

    chosen = resolve_template(template)
    path = tmp_path / f"roster-{number}.csv"
    table = read_table(write_table(make_roster(n, seed=seed, today=start).clean_frame, path), ROSTER)
    ref = cohorts.ensure_cohort(session, programme, number, start, chosen, "test")
    rules = RosterRules(chosen.minimum_golongan, chosen.capacity, frozenset(), {})
    gated = gate_roster(table.frame, rules, start)
    save_roster(session, gated, ref, table.file_name, table.sha256, "test")
    return ref, gated


def free_port() -> int:
    """A free TCP port on loopback (for a server a test starts)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def report_data(waves: tuple[str, ...] = ("course", "3m", "6m")):  # noqa: ANN202
    """Report figures of one cohort (course, +3 and +6 month waves), two alumni to follow up, a signatory."""
    from decimal import Decimal

    import pandas as pd

    from diklat.report.evaluation import CohortFacts, ReportData, Signature
    from diklat.templates import resolve_template

    d = Decimal
    figures = {
        "course": {
            "alumni": 28,
            "rate": d("93.33"),
            "l1_score": d("4.05"),
            "l1_by_aspect": {"pendidikan": d("4.30"), "fasilitas": d("2.80")},
            "l2_pre": d("61.50"),
            "l2_post": d("78.25"),
            "l2_gain": d("16.75"),
        },
        "3m": {
            "rate": d("80.00"),
            "l3_self": d("4.10"),
            "l3_atasan": d("3.80"),
            "l3_peer": d("3.90"),
            "l3_overall": d("3.93"),
            "l4_impact": d("3.70"),
            "sustainability_rate": d("75.00"),
            "follow_up": 2,
        },
        "6m": {
            "rate": d("70.00"),
            "l3_self": d("4.20"),
            "l3_atasan": d("4.00"),
            "l3_peer": None,
            "l3_overall": d("4.10"),
            "l4_impact": d("2.90"),
            "sustainability_rate": d("85.00"),
            "follow_up": 1,
        },
    }
    blank = {
        k: None
        for k in (
            "rate",
            "l1_score",
            "l1_by_aspect",
            "l2_pre",
            "l2_post",
            "l2_gain",
            "l3_self",
            "l3_atasan",
            "l3_peer",
            "l3_overall",
            "l4_impact",
            "sustainability_rate",
        )
    } | {"follow_up": 0, "alumni": 0}
    rows = [{"cohort_id": 1, "wave": w, **blank, **figures[w]} for w in waves]
    follow = pd.DataFrame(
        [
            {"cohort_id": 1, "wave": "3m", "alumnus_nip": "198001012005011001", "follow_up_reasons": ["ap.stopped"]},
            {
                "cohort_id": 1,
                "wave": "3m",
                "alumnus_nip": "198101012006011002",
                "follow_up_reasons": ["ap.stopped", "behaviour.below_threshold"],
            },
        ]
    )
    return ReportData(
        programme="PKP Kota Jambi 2022",
        per_cohort=pd.DataFrame(rows),
        per_programme=pd.DataFrame([{k: v for k, v in r.items() if k != "cohort_id"} for r in rows]),
        facts={1: CohortFacts("PKP Kota Jambi 2022 / Angkatan 1", date(2022, 7, 14), date(2022, 10, 18), 30, 28)},
        follow_up=follow,
        rules=resolve_template("PKP").evaluation,
        signature=Signature("Jambi", "Kepala Badan", "Dr. Contoh, M.Si.", "197001011995031001"),
        dated=date(2023, 7, 1),
    )


def chromium(width: int, height: int):  # noqa: ANN201 - a generator for a fixture: yields a WebDriver
    """Headless Debian chromium through chromium-driver; skipped with the reason on a laptop without them,
    a failure in CI (``.ci/run`` installs them)."""
    import os
    import shutil

    import pytest

    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (binary and driver_path):
        reason = "Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
