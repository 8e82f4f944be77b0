"""Tasks retry transient faults (database locked or gone, file briefly unreadable), never data errors."""

from __future__ import annotations

import errno

import pytest
from sqlalchemy import exc as sa_exc

from diklat.domain.problems import FileProblem, Problem
from tasks.common import is_transient

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.OperationalError("INSERT", {}, Exception("database is locked")),
        sa_exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
        ConnectionResetError(),
        TimeoutError(),
        OSError(errno.EBUSY, "resource busy"),
        PermissionError(errno.EACCES, "file opened in Excel"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_faults_are_retried(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
        FileNotFoundError(errno.ENOENT, "no such file"),
        FileProblem(Problem("file.missing_columns"), "roster.csv"),
        ValueError("bad score"),
        KeyError("nip"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_data_errors_and_bugs_are_not_retried(error: BaseException) -> None:
    assert not is_transient(error)


def test_the_store_classifies_only_database_errors() -> None:
    from diklat.store.errors import is_transient_db_error

    assert is_transient_db_error(sa_exc.OperationalError("SELECT 1", {}, Exception("server closed"))) is True
    assert is_transient_db_error(sa_exc.DisconnectionError()) is True
    assert is_transient_db_error(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate"))) is False
    assert is_transient_db_error(TimeoutError()) is None  # not the store's to judge: files, network
