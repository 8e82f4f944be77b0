"""Shared fixtures: settings pointed at throw-away databases, PostgreSQL per run, Prefect harness."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

PG_ADMIN_URL = os.environ.get("DIKLAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(error).__name__}"


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook; `-p no:xdist` runs without it
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one test process more than cores. The flow, e2e and fault tests spend about a third of
    their time waiting on servers and subprocesses; with one process per core the suite used 1.56 of 2
    cores (10 min 40 s), with three 1.71 (10 min 18 s; bench/RESULTS.md)."""
    return (os.cpu_count() or 1) + 1


# With `--no-loadscope-reorder` (make test passes it; without it xdist sorts files by their number of
# tests) pytest-xdist hands out whole files in the order they were collected: a two-minute e2e file that
# starts last leaves the other process idle at the end, so the long files go first and the quick unit
# files fill the gaps (the order within a folder is unchanged).
# The CLI and warm-start files (76 s and 32 s in the suite) start and stop servers and subprocesses like
# the flow files; handed out after the flows, they were still running alone at the end.
LONG_FIRST = (
    "tests/e2e/",
    "tests/faults/",
    "tests/integration/test_cli.py",
    "tests/integration/test_warm_runs.py",
    "tests/flows/",
    "tests/public/",
    "tests/integration/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, folder in enumerate(LONG_FIRST) if item.nodeid.startswith(folder)), len(LONG_FIRST))

    items.sort(key=rank)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end.

    Skips on a laptop without a server; in CI (CI=true) an unreachable server is a failure.
    """
    import sqlalchemy as sa

    reason = _pg_reachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"diklat_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    from diklat.db.engine import engine_for

    engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_schema(url: str) -> None:
    """Drop every table (PostgreSQL database shared by the run), then migrate from scratch."""
    import sqlalchemy as sa

    from diklat.db.engine import engine_for
    from diklat.db.migrate import upgrade

    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade(url)


def _migrated_sqlite(path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty SQLite database at ``path``: a copy of the one this process migrated first.

    Every SQLite test starts on an empty migrated database; running the migrations for each took
    0.1-0.3 s, a copy takes milliseconds. test_migrations.py runs them itself.
    """
    from diklat.db.engine import engine_for
    from diklat.db.migrate import upgrade
    from tests.helpers import copy_sqlite

    template = tmp_path_factory.getbasetemp() / "migrated-diklat.db"
    if not template.exists():
        partial = template.with_suffix(".part")
        upgrade(f"sqlite:///{partial}")
        engine_for(f"sqlite:///{partial}").dispose()  # the last connection folds the write-ahead log in
        partial.rename(template)
    copy_sqlite(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database: SQLite in tmp_path, or the run's PostgreSQL database reset."""
    if request.param == "sqlite":
        return _migrated_sqlite(tmp_path / "diklat.db", tmp_path_factory)
    url = request.getfixturevalue("pg_database")
    _reset_schema(url)
    return url


def _settings_for(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Application settings pointed at ``url`` and this test's folders (English, for stable assertions)."""
    from diklat.settings import get_settings

    monkeypatch.setenv("DIKLAT_DATABASE_URL", url)
    monkeypatch.setenv("DIKLAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIKLAT_LANGUAGE", "en")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Settings on this test's database (SQLite, and PostgreSQL where reachable)."""
    yield from _settings_for(db_url, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Settings on a fresh SQLite database only (for tests that do not depend on the backend)."""
    url = _migrated_sqlite(tmp_path / "diklat.db", tmp_path_factory)
    yield from _settings_for(url, tmp_path, monkeypatch)


@pytest.fixture
def sessions(db_url: str):  # noqa: ANN201
    """A session factory on this test's database, for the store's own tests (no settings, no Prefect)."""
    from diklat.db.engine import session_factory

    return session_factory(db_url)


@pytest.fixture(scope="module")
def prepared() -> Iterator:
    """The module's saved starting states (tests/prepared.py), removed when the module is done."""
    from tests.prepared import Prepared

    saved = Prepared()
    yield saved
    saved.drop()


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Operator-facing text in English (the msgids), for exact assertions on artifact text."""
    from diklat.settings import get_settings

    monkeypatch.setenv("DIKLAT_LANGUAGE", "en")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One temporary Prefect server per test process for all flow tests (5-14 s to start)."""
    from tests.prefect_template import seeded_test_harness

    with seeded_test_harness(tmp_path_factory):
        yield


@pytest.fixture
def smtp_sink(settings, monkeypatch) -> list:  # noqa: ANN001
    """A real SMTP server on loopback (aiosmtpd); the settings send e-mail to it. Yields what it received."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    from diklat.settings import get_settings
    from tests.helpers import free_port

    received: list = []

    class Collect(MessageHandler):
        def handle_message(self, message) -> None:  # noqa: ANN001
            received.append(message)

    port = free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("DIKLAT_NOTIFY_CHANNELS", '["log", "smtp"]')
    monkeypatch.setenv("DIKLAT_SMTP_PORT", str(port))
    monkeypatch.setenv("DIKLAT_OPERATOR_EMAIL", "operator@bkpsdmd.example")
    get_settings.cache_clear()
    yield received
    controller.stop()
