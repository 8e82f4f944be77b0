"""A unit of work: one transaction, committed only when the block succeeds, rolled back otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from diklat.db.faults import as_fault


@contextmanager
def unit_of_work(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session whose work commits as one transaction (all or nothing: retries are safe).

    A database error leaves as a :class:`~diklat.db.faults.DatabaseFault`: its class, table, column and
    constraint, never the rows the database quoted (they name people).
    """
    session = sessions()
    try:
        yield session
        session.commit()
    except sa_exc.SQLAlchemyError as error:
        session.rollback()
        raise as_fault(error) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
