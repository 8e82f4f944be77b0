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
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from tests.helpers import copy_sqlite

T = TypeVar("T")


class Prepared:
    """One saved state per backend (and per key), for one test module."""

    def __init__(self) -> None:
        # (backend, key) -> the build's value, the folder of the saved files, the PostgreSQL template's URL
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

    def drop(self) -> None:
        """Remove the PostgreSQL templates saved (SQLite copies go with the temporary folders)."""
        for _value, _folder, template in self._saved.values():
            if template is not None:
                base, name = template.rsplit("/", 1)
                _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._saved.clear()


def _copy_folder(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    if source.exists():
        shutil.copytree(source, target)


def _release(url: str) -> None:
    """Close this process's pooled connections to ``url`` (a template needs none open)."""
    from diklat.db.engine import engine_for

    engine_for(url).dispose()


def _save_database(url: str, path: Path) -> str | None:
    """SQLite: an online backup to ``path``. PostgreSQL: a template database, whose URL is returned."""
    _release(url)
    if url.startswith("sqlite"):
        copy_sqlite(Path(url.split("///", 1)[1]), path)
        return None
    base, name = url.rsplit("/", 1)
    template = f"{name}_prepared_{uuid.uuid4().hex[:6]}"
    _admin(base, f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
    return f"{base}/{template}"


def _restore_database(url: str, path: Path, template: str | None) -> None:
    _release(url)
    if template is None:
        copy_sqlite(path, Path(url.split("///", 1)[1]))
        return
    base, name = url.rsplit("/", 1)
    template_name = template.rsplit("/", 1)[1]
    _admin(
        base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'
    )


def _admin(base: str, *statements: str) -> None:
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        admin.dispose()
