"""Build engines from a URL: SQLite pragmas locally, pool pre-ping on PostgreSQL."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# PostgreSQL's default random_page_cost (4.0) prices an index lookup for spinning disks. diklat reads a
# chunk of cohorts at a time: a few percent of the evidence tables, through their enrolment indexes.
# At 4.0 the planner scans the whole table for every chunk instead (attendance: 3.5 million rows, 14
# times at national size), so a run's time grows with the square of its size (issue #17). 1.1 is the
# usual setting for data in memory or on SSD. A URL that already passes ``options`` keeps its own.
PG_OPTIONS = "-c random_page_cost=1.1"


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: SQLite waits on locks instead of failing at once."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: an error must never carry the rows it was writing (they name people).
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            # WAL lets the Prefect UI/CLI read while a flow writes; foreign keys are off by default.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # SQLite's default page cache is 2 MiB, against a database of gigabytes at national size:
            # index lookups then go to the OS for every page (issue #17). 64 MiB per connection.
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        return engine
    connect_args = {} if "options" in make_url(url).query else {"options": PG_OPTIONS}
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True, connect_args=connect_args
    )


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process (tasks in the same worker share the pool)."""
    return make_engine(url)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)
