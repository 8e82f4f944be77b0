"""Runs of different cohorts spread over process workers: 8 cohorts' openings on 1 worker, then on 2.

    .venv/bin/python -m bench.scale_out [--cohorts 8] [--rows 30] [--workers 1 2] [--database-url URL]

What an operator sees when several cohorts are opened at once through the deployments: a Prefect
server, ``prefect deploy --all``, then ``N`` process workers with one slot each (``--limit 1``, as N
small machines), and ``cohorts`` open-cohort runs triggered together as the UI triggers them. The time
is from the first trigger until the last run is Completed. Each worker count gets a programme of its own
in one PostgreSQL database created for the run (SQLite where no server answers: it takes one writer at
a time, so it shows less). Before the measured runs each worker carries one warm-up run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from bench.stack import deployed, open_cohorts

PG_ADMIN_URL = os.environ.get("DIKLAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def database(folder: Path, url: str | None) -> tuple[str, callable]:
    if url:
        return url, lambda: None
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"diklat_scale_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: SQLite
        return f"sqlite:///{folder / 'diklat.db'}", lambda: None

    def drop() -> None:
        from diklat.db.engine import engine_for

        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def most_at_once(runs: list) -> int:
    """The most flow runs that were Running at the same moment (from the server's start and end times)."""
    edges = sorted([(r.start_time, 1) for r in runs] + [(r.end_time, -1) for r in runs], key=lambda e: (e[0], e[1]))
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def median_run(runs: list) -> float:
    import statistics

    return statistics.median((r.end_time - r.start_time).total_seconds() for r in runs)


def main() -> None:  # noqa: PLR0915 - one script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cohorts", type=int, default=8)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from diklat.synth.roster import make_roster, write_table

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        url, drop = database(home, args.database_url)
        try:
            with deployed(home, url) as stack:
                print(f"database: {url.split('://')[0]}; {args.cohorts} cohorts of {args.rows}")  # noqa: T201
                results = {}
                for count in args.workers:
                    while len(stack.workers) < count:
                        stack.add_worker(runs=1)
                    warm = {
                        n: write_table(make_roster(3, seed=900 + n).frame, home / f"warm{count}-{n}.csv")
                        for n in range(1, count + 1)
                    }
                    open_cohorts(f"PKP Warm {count}", warm)
                    rosters = {
                        n: write_table(make_roster(args.rows, seed=100 * count + n).frame, home / f"r{count}-{n}.csv")
                        for n in range(1, args.cohorts + 1)
                    }
                    seconds, runs = open_cohorts(f"PKP Scale {count}", rosters)
                    states = {r.state.name for r in runs}
                    assert states == {"Completed"}, states
                    results[count] = seconds
                    print(  # noqa: T201
                        f"{count} worker(s): {args.cohorts} open-cohort runs in {seconds:.1f} s "
                        f"({seconds / args.cohorts:.2f} s per run; at most {most_at_once(runs)} running at once; "
                        f"each ran {median_run(runs):.2f} s, median)"
                    )
                if len(results) > 1:
                    first, last = min(results), max(results)
                    print(f"speed-up {last} vs {first} worker(s): x{results[first] / results[last]:.2f}")  # noqa: T201
        finally:
            drop()


if __name__ == "__main__":
    sys.exit(main())
