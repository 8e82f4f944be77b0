"""What one redundant index costs the writes of a national assessment (migration 0013).

``python -m bench.redundant_index [--rows 800000] [--repeat 3]`` writes a national year's score rows
(800,000: 100,000 participants × 4 components × 2 examiners) through ``insert_rows``, in the chunks
the assessment writes them (250 cohorts of 30 = 60,000 rows, one commit each), into two copies of the
``score`` table side by side: one with the unique constraint only (as from 0013), one with the
single-column index on ``enrolment_id`` as well (as up to 0012). Copies without foreign keys, so no
parent rows are needed; the two alternate, and each repeat starts on empty tables. SQLite in a
temporary file and PostgreSQL in a database of its own (skipped when no server answers).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.national import PG_ADMIN_URL
from diklat.db.bulk import insert_rows

CHUNK = 250 * 30 * 8


def tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    def score(name: str) -> sa.Table:
        return sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("enrolment_id", sa.Integer, nullable=False),
            sa.Column("component", sa.String(30), nullable=False),
            sa.Column("assessor", sa.String(200), nullable=False),
            sa.Column("score", sa.Numeric(6, 3, asdecimal=True), nullable=False),
            sa.Column("batch_id", sa.Integer),
            sa.UniqueConstraint("enrolment_id", "component", "assessor"),
        )

    unique_only, with_index = score("score_unique_only"), score("score_with_index")
    sa.Index("ix_score_with_index_enrolment_id", with_index.c.enrolment_id)
    return {"unique constraint only (0013)": unique_only, "plus ix_score_enrolment_id (0012)": with_index}


def rows(count: int) -> list[dict]:
    components = ("aksi_perubahan", "sikap_perilaku", "substansi", "studi_lapangan")
    return [
        {
            "enrolment_id": i // 8 + 1,
            "component": components[(i // 2) % 4],
            "assessor": f"19700101199001100{i % 2}",
            "score": Decimal(70 + i % 30) + Decimal("0.125"),
            "batch_id": i // CHUNK + 1,
        }
        for i in range(count)
    ]


def write(engine: sa.Engine, table: sa.Table, data: list[dict]) -> float:
    with engine.begin() as conn:
        conn.execute(table.delete())
    started = time.perf_counter()
    for first in range(0, len(data), CHUNK):
        with Session(engine) as session, session.begin():
            insert_rows(session, table, data[first : first + CHUNK])
    return time.perf_counter() - started


def measure(engine: sa.Engine, data: list[dict], repeat: int) -> dict[str, list[float]]:
    metadata = sa.MetaData()
    variants = tables(metadata)
    metadata.create_all(engine)
    out: dict[str, list[float]] = {name: [] for name in variants}
    for n in range(repeat):
        order = list(variants.items()) if n % 2 == 0 else list(reversed(variants.items()))
        for name, table in order:
            out[name].append(write(engine, table, data))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=800_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = rows(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        backends = {"sqlite": sa.create_engine(f"sqlite:///{Path(folder) / 'scores.db'}")}
        name = f"diklat_bench_index_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            backends["postgresql"] = sa.create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
        except sa.exc.OperationalError as error:
            print(f"postgresql skipped: {error.orig}")  # noqa: T201
        try:
            for backend, engine in backends.items():
                for variant, seconds in measure(engine, data, args.repeat).items():
                    each = " · ".join(f"{s:.2f}" for s in seconds)
                    print(f"{backend:10} {variant:34} median {statistics.median(seconds):6.2f} s  ({each})")  # noqa: T201
                engine.dispose()
        finally:
            if "postgresql" in backends:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
