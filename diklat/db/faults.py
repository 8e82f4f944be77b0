"""Database errors as a person may read them: what was refused and where, never the values.

A driver's error text quotes the rows it refused: PostgreSQL's DETAIL names the key's values ("Key
(nip)=(198001...)"), "Failing row contains (...)" a whole row with the name, e-mail and phone, and
SQLAlchemy appends the statement's parameters. Any of it in an exception reaches Prefect's logs,
states and events. So the unit of work turns a driver error into a :class:`DatabaseFault` carrying
only the error's class, the database's primary message and the table, column and constraint
names, masked once more, and drops the original (``from None``).
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from diklat.domain.privacy import mask_personal


class DatabaseFault(RuntimeError):
    """A database error with the data left out; ``transient`` says whether another try may succeed."""

    def __init__(self, text: str, transient: bool):
        super().__init__(text)
        self.transient = transient


def is_transient(error: BaseException) -> bool:
    """A lost or locked connection: yes. A refused value or a broken constraint: no."""
    if isinstance(error, sa_exc.DBAPIError):
        return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError) or bool(error.connection_invalidated)
    return isinstance(error, sa_exc.DisconnectionError)


def describe(error: sa_exc.SQLAlchemyError) -> str:
    """'IntegrityError: duplicate key value violates unique constraint (table enrolment, ...)'."""
    original = getattr(error, "orig", None)
    diag = getattr(original, "diag", None)  # psycopg: the server's message split into fields
    if diag is not None:
        primary = diag.message_primary or ""
        where = {"table": diag.table_name, "column": diag.column_name, "constraint": diag.constraint_name}
    else:  # SQLite and others: the first line of the driver's text, which quotes names, not values
        primary = str(original if original is not None else error).splitlines()[0] if str(error) else ""
        where = {}
    place = ", ".join(f"{k} {v}" for k, v in where.items() if v)
    text = f"{type(error).__name__}: {primary}" + (f" ({place})" if place else "")
    return mask_personal(text)


def as_fault(error: sa_exc.SQLAlchemyError) -> DatabaseFault:
    return DatabaseFault(describe(error), is_transient(error))
