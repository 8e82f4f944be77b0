"""The Prefect server's SQLite fix: two transactions that both read then write no longer fail each other."""

from __future__ import annotations

import asyncio
from pathlib import Path

import prefect
import pytest
import sqlalchemy as sa
from prefect.server.database.configurations import AioSqliteConfiguration

from diklat import prefect_sqlite


async def _race(database: Path, b_waits_for_a: bool) -> list[str]:
    """Transaction A reads, B writes and commits meanwhile (if it can), then A writes: what each ended with.

    ``b_waits_for_a``: B cannot commit before A does (the fix), so A stops waiting for B after 0.5 s;
    otherwise A waits until B has committed, however busy the machine.

    This is the server's shape: creating a flow run reads the flow and then inserts, while the task-run
    recorder commits the previous run's task states.
    """
    config = AioSqliteConfiguration(connection_url=f"sqlite+aiosqlite:///{database}")
    engine = await config.engine()
    async with engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE IF NOT EXISTS run (name TEXT)"))
    a_read, b_committed = asyncio.Event(), asyncio.Event()
    outcome: dict[str, str] = {}

    async def a() -> None:
        session = await config.session(engine)
        try:
            async with config.begin_transaction(session):
                await session.execute(sa.text("SELECT count(*) FROM run"))
                a_read.set()
                try:  # B commits now unless A's transaction holds the write lock (then B waits for A)
                    await asyncio.wait_for(b_committed.wait(), timeout=0.5 if b_waits_for_a else 60)
                except TimeoutError:
                    pass
                await session.execute(sa.text("INSERT INTO run VALUES ('a')"))
            outcome["a"] = "committed"
        except sa.exc.OperationalError as error:
            outcome["a"] = str(error.orig)
        finally:
            await session.close()

    async def b() -> None:
        await a_read.wait()
        session = await config.session(engine)
        try:
            async with config.begin_transaction(session):
                await session.execute(sa.text("INSERT INTO run VALUES ('b')"))
            outcome["b"] = "committed"
            b_committed.set()
        finally:
            await session.close()

    await asyncio.gather(a(), b())
    async with engine.connect() as conn:
        rows = sorted((await conn.execute(sa.text("SELECT name FROM run"))).scalars())
    await engine.dispose()
    return [outcome["a"], outcome["b"], *rows]


def test_upstream_fails_the_transaction_that_read_before_another_wrote(tmp_path: Path) -> None:
    """Why the fix exists (PrefectHQ/prefect#18934): if this starts passing, upstream fixed it; drop the fix."""
    assert AioSqliteConfiguration.begin_transaction.__module__ == "prefect.server.database.configurations"
    a, b, *rows = asyncio.run(_race(tmp_path / "upstream.db", b_waits_for_a=False))
    assert a == "database is locked" and b == "committed"
    assert rows == ["b"]  # A's run is lost: the server answers 503 and the client sleeps before trying again


def test_with_the_fix_the_second_writer_waits_and_both_are_saved(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(AioSqliteConfiguration, "begin_transaction", AioSqliteConfiguration.begin_transaction)
    assert prefect_sqlite.apply()
    a, b, *rows = asyncio.run(_race(tmp_path / "fixed.db", b_waits_for_a=True))
    assert (a, b) == ("committed", "committed")
    assert rows == ["a", "b"]


def test_the_fix_is_checked_against_the_pinned_prefect_and_the_servers_diklat_starts_use_it() -> None:
    assert prefect.__version__ in prefect_sqlite.FIXED_VERSIONS, (
        f"Prefect is now {prefect.__version__}: read AioSqliteConfiguration.begin_transaction again; if it "
        "still begins DEFERRED, add the version to FIXED_VERSIONS, else delete diklat.prefect_sqlite"
    )
    command = prefect_sqlite.server_command("127.0.0.1", 4200)
    assert command[1:5] == ["-m", "diklat.prefect_sqlite", "server", "start"]
    module, factory = prefect_sqlite.FACTORY.split(":")
    assert module == prefect_sqlite.__name__ and callable(getattr(prefect_sqlite, factory))


@pytest.mark.parametrize("version", ["3.9.2", "4.0.0"])
def test_on_a_prefect_it_was_not_checked_against_the_fix_does_nothing(version: str, monkeypatch) -> None:  # noqa: ANN001
    upstream = AioSqliteConfiguration.begin_transaction
    monkeypatch.setattr(prefect, "__version__", version)
    assert prefect_sqlite.apply() is False
    assert AioSqliteConfiguration.begin_transaction is upstream
