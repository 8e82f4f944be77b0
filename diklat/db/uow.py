"""A unit of work: one transaction, committed only when the block succeeds, rolled back otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from diklat.db.engine import session_factory
from diklat.settings import get_settings


@contextmanager
def unit_of_work(url: str | None = None) -> Iterator[Session]:
    """Yield a session whose work commits as one transaction (all or nothing: retries are safe)."""
    session = session_factory(url or get_settings().sqlalchemy_url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
