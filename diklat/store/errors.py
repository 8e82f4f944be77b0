"""Which database errors are worth another try: the store's half of the retry policy."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from diklat.db.faults import DatabaseFault, is_transient


def is_transient_db_error(error: BaseException) -> bool | None:
    """True for a lost or locked connection, False for any other database error, None if not one.

    None lets the caller (``tasks.common.is_transient``) go on to classify file and network faults,
    so nothing above the store needs to know SQLAlchemy's exception types.
    """
    if isinstance(error, DatabaseFault):  # what the unit of work raises: classified when it was raised
        return error.transient
    if isinstance(error, sa_exc.SQLAlchemyError):
        return is_transient(error)
    return None
