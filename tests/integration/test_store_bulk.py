"""Bulk writes of whole chunks: the COPY upsert on PostgreSQL, and many cohorts' score sheets in one call."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from diklat.db import bulk
from diklat.db.uow import unit_of_work
from diklat.gate.evidence import gate_scores
from diklat.store.batches import CohortFile
from diklat.store.evidence import save_evidence_many
from diklat.store.scores import save_assessors, score_context
from diklat.synth.scores import make_scores
from diklat.templates import resolve_template
from schemas import tables as t
from tests.helpers import enrol_clean_roster

pytestmark = pytest.mark.integration

START = date(2022, 7, 14)
EXAMINERS = ["196501011990031001", "196602021991032002"]
PROBE = sa.Table(
    "bulk_probe",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("score", sa.Numeric(6, 2)),
    sa.Column("day", sa.Date),
    sa.UniqueConstraint("code", "n"),
)


def _probe_rows(count: int, score: str) -> list[dict]:
    return [
        {"code": f"k{i % 700}", "n": i // 700, "score": Decimal(score) + i % 3, "day": START + timedelta(days=i % 5)}
        for i in range(count)
    ]


def _probe(sessions) -> list[tuple]:  # noqa: ANN001
    with unit_of_work(sessions) as s:
        return s.execute(select(PROBE.c.code, PROBE.c.n, PROBE.c.score, PROBE.c.day).order_by("code", "n")).all()


def test_a_large_upsert_ends_as_one_statement_per_row_would_end(
    sessions, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above COPY_MIN_ROWS PostgreSQL takes COPY; the table must end the same on both paths and backends."""
    PROBE.create(sessions.kw["bind"])
    copies = []
    through_copy = bulk._upsert_by_copy
    monkeypatch.setattr(bulk, "_upsert_by_copy", lambda *a: copies.append(len(a[2])) or through_copy(*a))
    rows = _probe_rows(2_100, "70.25")
    rows.append({**rows[5], "score": Decimal("99.99")})  # a key given twice: the last row wins
    with unit_of_work(sessions) as s:
        bulk.upsert(s, PROBE, rows, ["code", "n"], update=["score", "day"])
    copied = _probe(sessions)
    assert len(copied) == 2_100
    assert (rows[5]["code"], rows[5]["n"], Decimal("99.99"), rows[5]["day"]) in copied

    with unit_of_work(sessions) as s:  # do-nothing on conflict keeps what is there, adds what is new
        bulk.upsert(s, PROBE, _probe_rows(2_800, "10"), ["code", "n"])
    kept = _probe(sessions)
    assert len(kept) == 2_800 and set(copied) <= set(kept)

    assert copies == ([2_101, 2_800] if db_url.startswith("postgresql") else [])

    with unit_of_work(sessions) as s:
        s.execute(PROBE.delete())
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 10**9)  # the statement-per-row path
    with unit_of_work(sessions) as s:
        bulk.upsert(s, PROBE, rows, ["code", "n"], update=["score", "day"])
        bulk.upsert(s, PROBE, _probe_rows(2_800, "10"), ["code", "n"])
    assert _probe(sessions) == kept
    assert len(copies) == (2 if db_url.startswith("postgresql") else 0)  # nothing more went through COPY


KINDS = sa.Table(
    "bulk_kinds",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("score", sa.Numeric(6, 3)),
    sa.Column("day", sa.Date),
    sa.Column("at", sa.DateTime),
    sa.Column("flag", sa.Boolean),
    sa.Column("detail", sa.JSON),
    sa.Column("state", sa.String(10), nullable=False, default="open"),  # a default only SQLAlchemy fills
)


def _kinds_rows(count: int, bump: int) -> list[dict]:
    return [
        {
            "detail": None if i % 7 == 0 else {"i": i, "why": ["a", "b"][i % 2], "n": [bump]},
            "code": f"c{i}",
            "score": None if i % 11 == 0 else Decimal("59.995") + i % 4 + bump,
            "day": START + timedelta(days=i % 9),
            "at": datetime(2022, 7, 14, 8, 30) + timedelta(minutes=i),
            "flag": i % 3 == 0,
        }
        for i in range(count)
    ]


def test_the_driver_executemany_path_writes_what_the_orm_statement_writes(
    sessions, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every column kind (decimal, date, time, boolean, JSON, NULL) the same, whichever path wrote it.

    SQLite takes ``_execute_many`` (bind processors applied per column, plain tuples to the driver);
    with it switched off, SQLAlchemy converts every row itself. Keys in a different order from the
    table's columns, a conflict updating, and a conflict left alone must all end the same way.
    """
    KINDS.create(sessions.kw["bind"])
    calls = []
    driver_path = bulk._execute_many
    monkeypatch.setattr(bulk, "_execute_many", lambda *a: calls.append(len(a[2])) or driver_path(*a))

    def written() -> list[tuple]:
        with unit_of_work(sessions) as s:
            return s.execute(select(*[c for c in KINDS.c if c.name != "id"]).order_by(KINDS.c.code)).all()

    def write() -> list[tuple]:
        with unit_of_work(sessions) as s:
            bulk.upsert(s, KINDS, _kinds_rows(300, 0), ["code"])
            bulk.upsert(s, KINDS, _kinds_rows(450, 1)[::2], ["code"], update=["score", "detail", "flag"])
            bulk.upsert(s, KINDS, _kinds_rows(500, 2), ["code"])  # 300-499 new, the rest untouched
            bulk.upsert(s, KINDS, [{"code": "left-out", "score": Decimal("1.5")}], ["code"])  # state by default
        out = written()
        with unit_of_work(sessions) as s:
            s.execute(KINDS.delete())
        return out

    fast = write()
    assert calls == ([300, 225, 500, 1] if db_url.startswith("sqlite") else [])
    monkeypatch.setattr(bulk, "_execute_many", lambda s, stmt, rows: s.execute(stmt, list(rows)))
    assert write() == fast
    assert len(fast) == 501 and fast[-1][-1] == "open" and fast[0][-1] == "open"
    by_code = {row[0]: row for row in fast}
    assert by_code["c2"][1:-1] == (
        Decimal("62.995"),
        START + timedelta(days=2),
        datetime(2022, 7, 14, 8, 32),
        False,
        {"i": 2, "why": "a", "n": [1]},
    )
    assert by_code["c7"][5] is None and by_code["c11"][1] is None and by_code["c3"][4] is True
    assert by_code["c301"][1] == Decimal("62.995")  # written by the third call, its own value


def _kinds_taken_out(sessions) -> list[tuple]:  # noqa: ANN001
    """Every row of KINDS (without ids, JSON null told from SQL NULL), then the table emptied."""
    with unit_of_work(sessions) as s:
        out = s.execute(
            select(*[c for c in KINDS.c if c.name != "id"], KINDS.c.detail.is_(None)).order_by(KINDS.c.code)
        ).all()
        s.execute(KINDS.delete())
    return out


def test_copy_on_postgresql_writes_what_the_statement_writes(
    sessions, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inserts and upserts through COPY (JSON, SQL NULL and JSON values included) end as statements end.

    Rows leaving out a column with a Python-side default keep the statement: COPY would leave it empty.
    """
    KINDS.create(sessions.kw["bind"])
    copies = []
    through_copy = bulk._copy_into
    monkeypatch.setattr(bulk, "_copy_into", lambda *a: copies.append(len(a[3])) or through_copy(*a))
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 100)

    def stated(rows: list[dict]) -> list[dict]:
        return [{**row, "state": "done" if i % 2 else "open"} for i, row in enumerate(rows)]

    def write() -> list[tuple]:
        with unit_of_work(sessions) as s:
            bulk.insert_rows(s, KINDS, stated(_kinds_rows(300, 0)))
            bulk.upsert(s, KINDS, stated(_kinds_rows(450, 1))[::2], ["code"], update=["score", "detail", "flag"])
            bulk.upsert(s, KINDS, _kinds_rows(600, 2), ["code"])  # no "state": the statement fills it
        return _kinds_taken_out(sessions)

    fast = write()
    assert copies == ([300, 225] if db_url.startswith("postgresql") else [])
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 10**9)
    assert write() == fast
    assert len(copies) == (2 if db_url.startswith("postgresql") else 0)  # nothing more went through COPY
    by_code = {row[0]: row for row in fast}
    assert len(fast) == 600 and by_code["c599"][6] == "open" and by_code["c1"][6] == "done"
    assert by_code["c2"][5] == {"i": 2, "why": "a", "n": [1]} and by_code["c14"][5] is None


def test_update_rows_by_primary_key_ends_as_one_update_per_row_would_end(
    sessions, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large (COPY on PostgreSQL) and small batches, JSON and NULLs included, only the named columns set."""
    KINDS.create(sessions.kw["bind"])
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 100)

    def one_by_one(s, target, rows) -> None:  # noqa: ANN001
        for row in rows:
            s.execute(sa.update(target).where(target.c.id == row["id"]).values(**{k: row[k] for k in row if k != "id"}))

    def write(update_rows) -> list[tuple]:  # noqa: ANN001
        with unit_of_work(sessions) as s:
            bulk.insert_rows(s, KINDS, [{**row, "state": "open"} for row in _kinds_rows(400, 0)])
            ids = dict(s.execute(select(KINDS.c.code, KINDS.c.id)).all())
        many = [
            {"id": ids[f"c{i}"], "score": None if i % 5 == 0 else Decimal("70.125") + i % 3, "detail": {"v": i}}
            for i in range(0, 400, 2)
        ]
        few = [{"id": ids[f"c{i}"], "detail": None, "flag": True, "day": START} for i in range(1, 60, 2)]
        with unit_of_work(sessions) as s:
            update_rows(s, KINDS, many)
            update_rows(s, KINDS, few)
            update_rows(s, KINDS, [])
        return _kinds_taken_out(sessions)

    copies = []
    through_copy = bulk._copy_into
    monkeypatch.setattr(bulk, "_copy_into", lambda *a: copies.append(len(a[3])) or through_copy(*a))
    fast = write(bulk.update_rows)
    # the 400 rows inserted, then the 200 updated (leaving out "state", which an UPDATE leaves alone)
    assert copies == ([400, 200] if db_url.startswith("postgresql") else [])
    assert write(one_by_one) == fast
    by_code = {row[0]: row for row in fast}
    assert by_code["c2"][1] == Decimal("72.125") and by_code["c2"][5] == {"v": 2} and by_code["c10"][1] is None
    # None in a JSON column is JSON null on every path (SQLAlchemy's default), not SQL NULL
    assert by_code["c3"][3:] == (datetime(2022, 7, 14, 8, 33), True, None, "open", False)
    assert by_code["c301"][1:3] == (Decimal("60.995"), START + timedelta(days=4))  # odd, past 60: untouched
    with unit_of_work(sessions) as s, pytest.raises(ValueError, match="id among them"):
        bulk.update_rows(s, KINDS, [{"code": "c1", "score": Decimal(1)}])


def _sheet(sessions, ref, seed: int, tmp_path: Path) -> tuple:  # noqa: ANN001
    with unit_of_work(sessions) as s:
        save_assessors(s, ref, pd.DataFrame({"nip": EXAMINERS, "name": ["Penguji A", "Penguji B"]}))
        ctx = score_context(s, ref)
    frame = make_scores(sorted(ctx.participants), EXAMINERS, resolve_template("PKP").assessment, seed=seed).frame
    raw = frame.rename(columns={"NIP": "nip", "KOMPONEN": "component", "NILAI": "score", "PENILAI": "assessor"})
    raw.insert(0, "row_number", range(2, len(raw) + 2))
    return raw, ctx


def test_many_cohorts_score_sheets_are_saved_once_and_corrections_audited(sessions, tmp_path: Path) -> None:
    with unit_of_work(sessions) as s:
        one, _ = enrol_clean_roster(s, tmp_path, "PKP Bulk", START, number=1, seed=3)
        two, _ = enrol_clean_roster(s, tmp_path, "PKP Bulk", START, number=2, seed=4)
    (raw1, ctx1), (raw2, ctx2) = _sheet(sessions, one, 1, tmp_path), _sheet(sessions, two, 2, tmp_path)
    bad = raw2.copy()
    bad.loc[0, "score"] = "sembilan puluh"  # one row of cohort 2 quarantined
    files = [
        CohortFile(gate_scores(raw1, ctx1, START), one, "nilai-1.csv", "a" * 64),
        CohortFile(gate_scores(bad, ctx2, START), two, "nilai-2.csv", "b" * 64),
    ]
    with unit_of_work(sessions) as s:
        first = save_evidence_many(s, files, "test")
    assert [(c.rows_accepted, c.rows_quarantined, c.rows_unchanged) for c in first] == [
        (len(raw1), 0, 0),
        (len(raw2) - 1, 1, 0),
    ]
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count()).select_from(t.Score)) == len(raw1) + len(raw2) - 1
        assert (
            s.scalar(select(func.count()).select_from(t.QuarantinedRow).where(t.QuarantinedRow.status == "open")) == 1
        )
        again = save_evidence_many(s, files, "test")
    assert [c.already_processed for c in again] == [True, True]
    assert [c.batch_id for c in again] == [c.batch_id for c in first]

    fixed = raw2.copy()
    fixed.loc[1, "score"] = "60,5"  # the quarantined row fixed, and one score corrected
    files = [
        files[0],
        CohortFile(gate_scores(fixed, ctx2, START), two, "nilai-2-perbaikan.csv", "c" * 64),
    ]
    with unit_of_work(sessions) as s:
        third = save_evidence_many(s, files, "test")
        audits = s.execute(
            select(t.AuditLog.entity_key, t.AuditLog.new_value, t.AuditLog.source).where(t.AuditLog.entity == "scores")
        ).all()
        still_open = s.scalar(
            select(func.count()).select_from(t.QuarantinedRow).where(t.QuarantinedRow.status == "open")
        )
    assert third[0].already_processed and not third[1].already_processed
    assert (third[1].rows_accepted, third[1].rows_unchanged, third[1].rows_resolved) == (len(raw2), len(raw2) - 2, 1)
    assert still_open == 0
    assert len(audits) == 1
    key, new, source = audits[0]
    assert new == {"score": "60.5"} and source == f"nilai-2-perbaikan.csv (batch {third[1].batch_id})"
    assert key.count("|") == 2 and key.endswith(f"|{fixed.loc[1, 'assessor']}")


def test_a_frame_read_from_the_driver_holds_the_same_exact_decimals_as_the_orm(sessions, db_url: str) -> None:
    """read_frame skips SQLAlchemy's row objects; a NUMERIC must still come back as the exact Decimal."""
    from diklat.db.frames import read_frame

    PROBE.create(sessions.kw["bind"])
    edges = ["0", "0.1", "0.01", "59.99", "70.005", "89.995", "90", "99.99", "100", None]
    with unit_of_work(sessions) as s:
        s.execute(
            sa.insert(PROBE),
            [{"code": f"e{i}", "n": i, "score": None if v is None else Decimal(v)} for i, v in enumerate(edges)],
        )
    stmt = select(PROBE.c.code, PROBE.c.score).order_by(PROBE.c.n)
    with unit_of_work(sessions) as s:
        frame = read_frame(s, stmt, ["code", "score"])
        orm = [score for _code, score in s.execute(stmt).all()]
    assert frame["score"].tolist() == orm  # what the ORM gives, value for value (None too)
    assert all(v is None or type(v) is Decimal for v in frame["score"])
    assert [None if v is None else str(v) for v in frame["score"]][:3] == ["0.00", "0.10", "0.01"]


def test_many_cohorts_coaches_lists_are_recorded_once_each_and_a_correction_resolves_in_every_cohort(
    sessions, tmp_path: Path
) -> None:
    """save_staff_lists: one shared list, quarantined per cohort; the same file again is a no-op; the
    corrected list closes the quarantined row in each cohort."""
    from diklat.gate.staff import gate_staff
    from diklat.store.staff import save_staff_lists

    with unit_of_work(sessions) as s:
        one, _ = enrol_clean_roster(s, tmp_path, "PKP Staff", START, number=1, seed=5)
        two, _ = enrol_clean_roster(s, tmp_path, "PKP Staff", START, number=2, seed=6)

    def coaches(email: str) -> pd.DataFrame:
        rows = [("196501011990031001", "Dr. Coach Satu", "satu@example.org"), ("196602021991032002", "Dua", email)]
        return pd.DataFrame(
            [{"row_number": i + 2, "nip": n, "name": m, "email": e} for i, (n, m, e) in enumerate(rows)]
        )

    listed = gate_staff("coaches", coaches("dua(at)example.org"), START)  # a bad e-mail: that row quarantined
    files = [CohortFile(listed, cohort, "coach.xlsx", "d" * 64) for cohort in (one, two)]
    with unit_of_work(sessions) as s:
        first = save_staff_lists(s, files, None)
        again = save_staff_lists(s, files, None)
    assert [(c.rows_accepted, c.rows_quarantined, c.already_processed) for c in first] == [(1, 1, False)] * 2
    assert [c.already_processed for c in again] == [True, True]
    assert [c.batch_id for c in again] == [c.batch_id for c in first]

    fixed = gate_staff("coaches", coaches("dua@example.org"), START)
    with unit_of_work(sessions) as s:
        third = save_staff_lists(s, [CohortFile(fixed, c, "coach-perbaikan.xlsx", "e" * 64) for c in (one, two)], None)
        still_open = s.scalar(
            select(func.count()).select_from(t.QuarantinedRow).where(t.QuarantinedRow.status == "open")
        )
    assert [(c.rows_accepted, c.rows_quarantined, c.rows_resolved) for c in third] == [(2, 0, 1), (2, 0, 1)]
    assert still_open == 0
