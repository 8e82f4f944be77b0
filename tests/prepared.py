"""A database state built once per test module and backend through the flows, restored for every test.

Many flow tests start from the same cohort (opened, its evidence loaded) and then test one thing on
top of it. Building that state runs four flows (about 8 s of CPU with the Prefect server's share);
restoring it is a file copy on SQLite and a template database on PostgreSQL. The first test of a
module builds it exactly as before and the state is saved; every later test gets that same database
and data folder, row for row, ids included. What is tested on top of it still runs through the flows.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


class Prepared:
    """One saved state per backend (and per key), for one test module."""

    def __init__(self) -> None:
        self._saved: dict[tuple[str, str], tuple[Any, Path, str | None]] = {}

    def restore_or_build(self, settings: Any, key: str, build: Callable[[], T]) -> T:  # noqa: ANN401
        """``build()`` on the first call for this backend and key; the saved state on every later one."""
        url = settings.sqlalchemy_url
        backend = "sqlite" if url.startswith("sqlite") else "postgresql"
        saved = self._saved.get((backend, key))
        if saved is None:
            value = build()
            folder = Path(settings.data_dir).parent / f"prepared-{key}"
            folder.mkdir()
            _copy_folder(Path(settings.data_dir), folder / "data")
            template = _save_database(url, folder / "diklat.db")
            self._saved[(backend, key)] = (copy.deepcopy(value), folder, template)
            return value
        value, folder, template = saved
        _restore_database(url, folder / "diklat.db", template)
        _copy_folder(folder / "data", Path(settings.data_dir))
        return copy.deepcopy(value)


def _copy_folder(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    if source.exists():
        shutil.copytree(source, target)


def _release(url: str) -> None:
    """Close this process's pooled connections to ``url`` (a template needs none open)."""
    from diklat.db.engine import engine_for

    engine_for(url).dispose()


def _save_database(url: str, path: Path) -> str | None:
    """SQLite: an online backup to ``path``. PostgreSQL: a template database, whose name is returned."""
    _release(url)
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return None
    base, name = url.rsplit("/", 1)
    template = f"{name}_prepared_{uuid.uuid4().hex[:6]}"
    _admin(base, f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
    return template


def _restore_database(url: str, path: Path, template: str | None) -> None:
    _release(url)
    if template is None:
        with sqlite3.connect(path) as source, sqlite3.connect(url.split("///", 1)[1]) as target:
            source.backup(target)
        return
    base, name = url.rsplit("/", 1)
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _admin(base: str, *statements: str) -> None:
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        admin.dispose()


def drop_templates(prepared: Prepared) -> None:
    """Remove the PostgreSQL templates a module saved (SQLite copies go with the temporary folder)."""
    for _value, _folder, template in prepared._saved.values():  # noqa: SLF001 - the module's own record
        if template is not None:
            base = _base_url()
            _admin(base, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    prepared._saved.clear()  # noqa: SLF001


def _base_url() -> str:
    from tests.conftest import PG_ADMIN_URL

    return PG_ADMIN_URL.rsplit("/", 1)[0]
