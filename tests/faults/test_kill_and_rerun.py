"""Kill -9 at named points of every writing flow, start again, end exactly where an uninterrupted run ends.

Each trial runs the scenario (tests/faults/scenario.py: open-cohort, three evidence ingests, a
milestone check with notifications, the final assessment) in its own process with ``DIKLAT_KILL_AT``
naming one point (diklat/faultpoints.py). The process dies there with SIGKILL, in the middle of a
transaction or between a commit and what follows. The scenario is then run again without the fault,
as an operator would start it again, and the database must equal the reference run's, row for row
(ids included: a rolled-back transaction leaves no trace on SQLite), except for the columns that
record when and by which run. The rerun must not wait on the dead run's cohort lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, select

from diklat.db.engine import engine_for
from diklat.db.migrate import upgrade
from schemas.tables import Base
from tests.faults.scenario import write_inputs

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

POINTS = [
    "roster.before-commit",
    "roster.committed",
    "attendance.before-commit",
    "check.committed",
    "deliver.sent-not-confirmed",
    "grading.committed",
    "certificates.before-commit",
    "certificates.rendering",
]
# When and by which run a row was written: differs between any two runs, killed or not.
VOLATILE = {"flow_run_id", "claimed_by"}
RANDOM = {("certificate", "verification_code")}  # drawn at random when a number is first reserved


def _environment(db: Path, kill_at: str | None = None) -> dict[str, str]:
    from prefect.settings import get_current_settings

    env = {
        **os.environ,
        "PREFECT_API_URL": str(get_current_settings().api.url),
        "PYTHONPATH": os.getcwd(),
        "DIKLAT_DATABASE_URL": f"sqlite:///{db}",
        "DIKLAT_DATA_DIR": str(db.parent / "data"),
        "DIKLAT_LANGUAGE": "en",
    }
    env.pop("DIKLAT_KILL_AT", None)
    if kill_at:
        env["DIKLAT_KILL_AT"] = kill_at
    return env


@pytest.fixture(scope="module")
def scenario(prefect_harness: None) -> Iterator[Callable[..., subprocess.CompletedProcess]]:
    """Runs the scenario in a process of its own, forked from one that paid the imports once.

    Each run is still a separate process, killed by SIGKILL at its fault point; only the 7 s of
    imports a fresh interpreter pays before the first step are shared (17 runs in this module).
    """
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.faults.scenario", "--serve"],
        env=_environment(Path(os.devnull)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def run(folder: Path, db: Path, kill_at: str | None = None) -> subprocess.CompletedProcess:
        out, err = db.parent / "scenario.out", db.parent / "scenario.err"
        request = {"folder": str(folder), "env": _environment(db, kill_at), "out": str(out), "err": str(err)}
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        assert answer, f"the scenario server ended (exit {server.wait()})"
        code = json.loads(answer)["returncode"]
        return subprocess.CompletedProcess(request["folder"], code, out.read_text(), err.read_text())

    try:
        yield run
    finally:
        server.stdin.close()
        server.wait(timeout=60)


def _state(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, without the columns that say when or by which run they were written."""
    out = {}
    with engine_for(f"sqlite:///{db}").connect() as conn:
        for name, table in Base.metadata.tables.items():
            if name == "cohort_lease":
                continue
            columns = [
                c
                for c in table.columns
                if not isinstance(c.type, DateTime) and c.name not in VOLATILE and (name, c.name) not in RANDOM
            ]
            rows = conn.execute(select(*columns)).all()
            out[name] = sorted(tuple(repr(v) for v in r) for r in rows)
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    write_inputs(folder)
    return folder


@pytest.fixture(scope="module")
def reference(inputs: Path, scenario: Callable, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("reference") / "diklat.db"
    upgrade(f"sqlite:///{db}")
    done = scenario(inputs, db)
    assert done.returncode == 0, done.stderr[-3000:]
    state = _state(db)
    assert state["certificate"] and state["milestone_status"] and state["notification"]  # every stage wrote
    return {"state": state, "pdfs": sorted(p.name for p in (db.parent / "data").rglob("*.pdf"))}


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_a_named_point_and_started_again_ends_as_an_uninterrupted_run(
    point: str, inputs: Path, reference: dict, scenario: Callable, tmp_path: Path
) -> None:
    db = tmp_path / "diklat.db"
    upgrade(f"sqlite:///{db}")
    killed = scenario(inputs, db, kill_at=point)
    assert killed.returncode == -9, f"{point} was never reached: {killed.stderr[-2000:]}"
    started = time.monotonic()
    again = scenario(inputs, db)
    assert again.returncode == 0, again.stderr[-3000:]
    assert time.monotonic() - started < 100  # a lock of the dead run would hold the cohort for 120 s
    state = _state(db)
    for table, rows in reference["state"].items():
        assert state[table] == rows, f"{table} differs after a kill at {point}"
    assert sorted(p.name for p in (db.parent / "data").rglob("*.pdf")) == reference["pdfs"]


def test_the_reference_run_is_not_trivial(reference: dict) -> None:
    assert len(reference["state"]["enrolment"]) == 7  # 8 rows, one quarantined
    assert sum("'roster'" in row for row in reference["state"]["quarantined_row"]) == 1
    assert all("'sent'" in row for row in reference["state"]["notification"])
