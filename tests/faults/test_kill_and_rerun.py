"""Kill -9 at named points of every writing flow, start again, end exactly where an uninterrupted run ends.

The scenario (tests/faults/scenario.py: open-cohort, three evidence ingests, a milestone check with
notifications, the final assessment) runs once uninterrupted, step by step, as the reference. Each
trial starts from the reference's database and files as they were before the step its point lies in,
and runs the scenario from that step in its own process with ``DIKLAT_KILL_AT`` naming the point
(diklat/faultpoints.py). The process dies there with SIGKILL, in the middle of a transaction or
between a commit and what follows. The scenario is then run again from that step without the fault,
as an operator would start it again, and the database must equal the reference run's, row for row
(ids included: a rolled-back transaction leaves no trace on SQLite), except for the columns that
record when and by which run. The rerun must not wait on the dead run's cohort lock.
"""

from __future__ import annotations

import json
import os
import shutil
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
from tests.faults.scenario import STEPS, write_inputs
from tests.helpers import copy_sqlite

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

# Each point, and the scenario's step it lies in (tests/faults/scenario.py: 1 open-cohort, 2 the
# attendance ingest, 5 the milestone check and its e-mails, 6 the final assessment).
POINTS = {
    "roster.before-commit": 1,
    "roster.committed": 1,
    "attendance.before-commit": 2,
    "check.committed": 5,
    "deliver.sent-not-confirmed": 5,
    "grading.committed": 6,
    "certificates.before-commit": 6,
    "certificates.rendering": 6,
}
LAST = max(STEPS)
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

    def run(
        folder: Path, db: Path, kill_at: str | None = None, steps: tuple[int, int] = (1, LAST)
    ) -> subprocess.CompletedProcess:
        out, err = db.parent / "scenario.out", db.parent / "scenario.err"
        request = {
            "folder": str(folder),
            "env": _environment(db, kill_at),
            "out": str(out),
            "err": str(err),
            "steps": steps,
        }
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


def _copy(source: Path, target: Path) -> None:
    """The database (through SQLite's backup, which also takes what a killed writer left in its WAL) and
    the data folder beside it (rejected-rows files, certificates) from ``source``'s folder to ``target``'s."""
    copy_sqlite(source, target)
    if (source.parent / "data").exists():
        shutil.copytree(source.parent / "data", target.parent / "data", dirs_exist_ok=True)


@pytest.fixture(scope="module")
def reference(inputs: Path, scenario: Callable, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The uninterrupted run, one step at a time, keeping the state before each step a point lies in."""
    db = tmp_path_factory.mktemp("reference") / "diklat.db"
    upgrade(f"sqlite:///{db}")
    before: dict[int, Path] = {}
    for step in STEPS:
        if step in POINTS.values():
            before[step] = tmp_path_factory.mktemp(f"before-step-{step}") / "diklat.db"
            _copy(db, before[step])
        done = scenario(inputs, db, steps=(step, step))
        assert done.returncode == 0, done.stderr[-3000:]
    state = _state(db)
    assert state["certificate"] and state["milestone_status"] and state["notification"]  # every stage wrote
    return {"state": state, "pdfs": sorted(p.name for p in (db.parent / "data").rglob("*.pdf")), "before": before}


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_a_named_point_and_started_again_ends_as_an_uninterrupted_run(
    point: str, inputs: Path, reference: dict, scenario: Callable, tmp_path: Path
) -> None:
    # The steps before the point's are the reference's own (every step's rerun after them is a no-op,
    # which the flows' idempotence tests prove): the killed run and its restart begin at the point's step.
    step = POINTS[point]
    db = tmp_path / "diklat.db"
    _copy(reference["before"][step], db)
    killed = scenario(inputs, db, kill_at=point, steps=(step, LAST))
    assert killed.returncode == -9, f"{point} was never reached: {killed.stderr[-2000:]}"
    started = time.monotonic()
    again = scenario(inputs, db, steps=(step, LAST))
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
