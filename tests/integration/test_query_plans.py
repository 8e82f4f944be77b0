"""A chunk's reads find their rows through indexes (issue #17).

The milestone check and the final assessment read a chunk of cohorts at a time. A statement that
scans a table growing with participants (attendance, coaching logs, status history...) costs the
whole table once per chunk, so a national run's time grows with the square of its size: the status
history's waivers and the check's coach and mentor contacts did, on SQLite; on PostgreSQL at its
default random_page_cost every evidence read did.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Tables whose rows grow with participants (cohort and calendar tables grow with cohorts only).
GROWING = (
    "assignment",
    "attendance",
    "audit_log",
    "certificate",
    "certificate_code",
    "deliverable",
    "employee",
    "enrolment",
    "guidance_log",
    "milestone_status",
    "quarantined_row",
    "result",
    "score",
)


def _whole_table_scans(database: Path, statements: dict[str, tuple]) -> list[str]:
    """Each statement whose SQLite plan scans a growing table, with the table."""
    found = []
    with sqlite3.connect(database) as connection:
        for statement, parameters in statements.items():
            plan = connection.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            for *_, detail in plan:
                words = detail.split()
                if words[0] == "SCAN" and words[1] in GROWING:
                    found.append(f"{detail}: {' '.join(statement.split())[:160]}")
    return found


def test_no_read_of_a_check_or_an_assessment_scans_a_table_that_grows_with_participants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every SELECT of the milestone check and the final assessment (the flows' own steps, 90
    participants in 3 cohorts), planned by SQLite: none walks a whole table that grows with
    participants. SQLite plans without statistics here, so the plans are those of a national run."""
    from bench import designs
    from bench.national import use_database
    from bench.workload import CHECK_AS_OF, PROGRAM, load_evidence, make_workload, write_score_sheets
    from diklat.db.migrate import upgrade

    monkeypatch.setenv("DIKLAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIKLAT_LANGUAGE", "en")
    database = tmp_path / "plans.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    use_database(url)
    workload = make_workload(tmp_path / "workload", 90)
    designs.open_floor(PROGRAM, workload.manifest)
    load_evidence(workload, url)

    statements: dict[str, tuple] = {}

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        if conn.dialect.name == "sqlite" and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.setdefault(statement, tuple(parameters[0] if executemany else parameters))

    def watched(step, *args):  # noqa: ANN001, ANN002, ANN202
        event.listen(Engine, "before_cursor_execute", seen)
        try:
            return step(*args)
        finally:
            event.remove(Engine, "before_cursor_execute", seen)

    assert watched(designs.check_floor, CHECK_AS_OF) > 0
    scores = write_score_sheets(workload, url)  # the benchmark's setup, not a step of the flows
    assert watched(designs.assess_floor, PROGRAM, scores) > 0
    assert len(statements) > 20  # the probe saw the steps' reads
    assert _whole_table_scans(database, statements) == []


@pytest.mark.postgres
def test_postgresql_connections_price_index_lookups_for_data_in_memory(pg_database: str) -> None:
    """diklat's connections plan with random_page_cost 1.1; a URL passing its own options keeps them."""
    from diklat.db.engine import make_engine

    def cost(url: str) -> str:
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text("SHOW random_page_cost")).scalar_one()
        finally:
            engine.dispose()

    assert cost(pg_database) == "1.1"
    assert cost(pg_database + "?options=-c%20random_page_cost%3D3") == "3"


def test_a_run_analyses_the_tables_a_bulk_load_left_without_statistics(db_url: str) -> None:
    """refresh_statistics (the first step of a check or a batch assessment): on PostgreSQL a table
    never analysed is analysed even when its change counts were lost (a crash, a restore), a table
    changed by more than a fifth since its last analysis is analysed again, each once; on SQLite,
    nothing."""
    from diklat.db.engine import engine_for
    from diklat.store.statistics import STALE_ROWS, refresh_statistics

    engine = engine_for(db_url)
    postgresql = engine.dialect.name == "postgresql"

    def insert_employees(first: int, *, lose_counts: bool = False) -> None:
        rows = [{"nip": f"1980010120000{i:05d}", "name": "x"} for i in range(first, first + 2 * STALE_ROWS)]
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO employee (nip, name, updated_at) VALUES (:nip, :name, '2026-01-01')"), rows
            )
            if postgresql:  # the table counts reach the statistics as the commit ends
                connection.execute(sa.text("SELECT pg_stat_force_next_flush()"))
        if lose_counts:
            with engine.begin() as connection:
                connection.execute(sa.text("SELECT pg_stat_reset()"))

    def refreshed() -> list[str]:
        with sa.orm.Session(engine) as session, session.begin():
            return refresh_statistics(session)

    def analysed() -> bool:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT reltuples >= 0 FROM pg_class WHERE relname = 'employee'")
            ).scalar_one()

    insert_employees(0, lose_counts=postgresql)
    if not postgresql:
        assert refreshed() == []
        return
    assert not analysed()
    assert refreshed() == ["employee"]  # the other tables are empty: nothing to analyse
    assert analysed()
    assert refreshed() == []  # analysed once, not at every run
    insert_employees(2 * STALE_ROWS)  # doubled since the last analysis
    assert refreshed() == ["employee"]
    assert refreshed() == []
