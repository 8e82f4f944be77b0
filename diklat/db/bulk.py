"""Bulk writes on natural keys: INSERT ... ON CONFLICT, chunked, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, bindparam, column, insert, select, table, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Rows per executemany call: bounds the memory of one round trip, not a database limit.
MAX_PARAMS = 20_000
# From this many rows a write on PostgreSQL goes through COPY (an upsert into a temporary table, then
# one INSERT ... SELECT ... ON CONFLICT): ~10x faster than a parameter set per row (issue #17).
COPY_MIN_ROWS = 1_000
_temp_names = itertools.count(1)


def _insert(session: Session, table: Table):  # noqa: ANN202
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def chunks(rows: Sequence[dict[str, Any]], width: int) -> Iterable[Sequence[dict[str, Any]]]:
    size = max(1, MAX_PARAMS // max(1, width))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """Insert rows; on a natural-key conflict update ``update`` columns, or leave the row as it is.

    One statement executed for many parameter sets: SQLAlchemy compiles it once and batches the
    rows ("insertmanyvalues" on PostgreSQL, executemany on SQLite), instead of compiling a huge
    multi-row VALUES clause.
    """
    if not rows:
        return
    if _copyable(session, table, rows):
        _upsert_by_copy(session, table, rows, keys, update)
        return
    stmt = _insert(session, table)
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if session.get_bind().dialect.name == "sqlite":
        _execute_many(session, stmt, rows)
        return
    for part in chunks(rows, 1):
        session.execute(stmt, list(part))


def _execute_many(session: Session, stmt: Any, rows: Sequence[dict[str, Any]]) -> None:
    """``stmt`` for every row through the driver's ``executemany``, SQLAlchemy's conversions applied per column.

    ``session.execute(stmt, rows)`` converts and orders each row's parameters in Python, a few
    microseconds a value: most of the time of saving 800,000 score rows on SQLite (issue #17). The
    statement is compiled once here, each column's bind processor (dates to text, decimals, JSON) is
    applied down the column, once per distinct value where values can be hashed, and the driver gets
    plain tuples. Events and error handling are the connection's as for any statement.
    """
    session.flush()  # as session.execute would: rows may refer to objects still pending in the session
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = stmt.compile(dialect=dialect, column_keys=names)
    order = list(compiled.positiontup or ())
    table = stmt.table
    # Python-side defaults of columns the rows leave out are filled per row by SQLAlchemy only.
    defaulted = any(c.default is not None and c.name not in names for c in table.columns)
    uneven = any(len(row) != len(names) for row in rows)  # rows naming different columns
    if defaulted or uneven or sorted(order) != sorted(names) or any(n not in table.c for n in names):
        for part in chunks(rows, 1):  # a statement this shortcut does not know: the general path
            session.execute(stmt, list(part))
        return
    columns = [_bound([row[name] for row in rows], table.c[name].type, dialect) for name in order]
    sql = str(compiled)
    values = list(zip(*columns, strict=True))
    for start in range(0, len(values), MAX_PARAMS):
        connection.exec_driver_sql(sql, values[start : start + MAX_PARAMS])


def _bound(values: list[Any], kind: Any, dialect: Any) -> list[Any]:
    """One column's values as the driver receives them (what SQLAlchemy's bind processor makes of them)."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    if isinstance(kind, JSON):
        return [process(v) for v in values]
    done: dict[Any, Any] = {}
    out = []
    for v in values:
        try:
            out.append(done[v])
        except KeyError:
            done[v] = converted = process(v)
            out.append(converted)
        except TypeError:  # unhashable
            out.append(process(v))
    return out


def _copyable(session: Session, target: Table, rows: Sequence[dict[str, Any]], inserting: bool = True) -> bool:
    """COPY suits rows that all name the same columns, leaving out none with a Python-side default.

    COPY fills a left-out column from its server default only; SQLAlchemy fills Python-side defaults
    per row, so rows to insert that leave one out keep the statement (an UPDATE leaves them alone).
    """
    if len(rows) < COPY_MIN_ROWS or session.get_bind().dialect.name != "postgresql":
        return False
    names = set(rows[0])
    if any(len(row) != len(names) for row in rows) or any(n not in target.c for n in names):
        return False
    return not inserting or not any(c.default is not None and c.name not in names for c in target.columns)


def _copy_into(session: Session, name: str, target: Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    """COPY ``rows`` into table ``name`` (shaped like ``target``); returns the columns written.

    Values go through their column's bind processor, as the statement's would (JSON becomes psycopg's
    ``Json``, which COPY writes as text), so a value is stored as the statement would have stored it.
    """
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    values = [_bound([row[c] for row in rows], target.c[c].type, dialect) for c in columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
        for row in zip(*values, strict=True):
            copy.write_row(row)
    return columns


def _upsert_by_copy(
    session: Session, target: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str], update: Sequence[str]
) -> None:
    """The same upsert through COPY: rows into a temporary table, then one INSERT ... SELECT ... ON CONFLICT.

    One INSERT may not touch a row twice, so a key given twice keeps its last row, which is what
    one statement per row would have left.
    """
    last = list({tuple(row[k] for k in keys): row for row in rows}.values())
    name = f"upsert_{target.name}_{next(_temp_names)}"
    quoted = ", ".join(f'"{c}"' for c in rows[0])
    session.execute(
        text(f'CREATE TEMPORARY TABLE "{name}" ON COMMIT DROP AS SELECT {quoted} FROM "{target.name}" WITH NO DATA')
    )
    columns = _copy_into(session, name, target, last)
    temp = table(name, *(column(c) for c in columns))
    stmt = postgresql.insert(target).from_select(columns, select(*temp.columns))
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt)
    session.execute(text(f'DROP TABLE "{name}"'))


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """A plain bulk INSERT (no conflict expected): the driver's executemany on SQLite, COPY on PostgreSQL."""
    if not rows:
        return
    if _copyable(session, table, rows):
        session.flush()  # as session.execute would: rows may refer to objects still pending in the session
        _copy_into(session, table.name, table, rows)
        return
    if session.get_bind().dialect.name == "sqlite":
        _execute_many(session, insert(table), rows)
        return
    for part in chunks(rows, 1):
        session.execute(insert(table), list(part))


def update_rows(session: Session, target: Table, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE rows by primary key (``id``), each row setting the other columns it names; all rows alike.

    What the ORM's bulk UPDATE by primary key does, without its per-row bookkeeping (2.5 s for the
    100,000 certificates of a national graduation, issue #17): the driver's executemany on SQLite, COPY
    into a temporary table and one UPDATE ... FROM on PostgreSQL.
    """
    if not rows:
        return
    names = list(rows[0])
    if "id" not in names or any(set(row) != set(names) for row in rows):
        raise ValueError(f"update_rows needs rows naming the same columns, id among them (got {names})")
    changed = [n for n in names if n != "id"]
    dialect = session.get_bind().dialect
    session.flush()
    if _copyable(session, target, rows, inserting=False):
        name = f"update_{target.name}_{next(_temp_names)}"
        quoted = ", ".join(f'"{c}"' for c in names)
        session.execute(
            text(f'CREATE TEMPORARY TABLE "{name}" ON COMMIT DROP AS SELECT {quoted} FROM "{target.name}" WITH NO DATA')
        )
        _copy_into(session, name, target, rows)
        sets = ", ".join(f'"{c}" = "{name}"."{c}"' for c in changed)
        session.execute(text(f'UPDATE "{target.name}" SET {sets} FROM "{name}" WHERE "{target.name}".id = "{name}".id'))
        session.execute(text(f'DROP TABLE "{name}"'))
        return
    if dialect.name != "sqlite":
        session.execute(
            update(target).where(target.c.id == bindparam("_id")),
            [{**{c: row[c] for c in changed}, "_id": row["id"]} for row in rows],
        )
        return
    sets = ", ".join(f'"{c}" = ?' for c in changed)
    columns = [_bound([row[c] for row in rows], target.c[c].type, dialect) for c in [*changed, "id"]]
    values = list(zip(*columns, strict=True))
    connection = session.connection()
    for start in range(0, len(values), MAX_PARAMS):
        connection.exec_driver_sql(
            f'UPDATE "{target.name}" SET {sets} WHERE id = ?', values[start : start + MAX_PARAMS]
        )


def insert_new(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[Any]:
    """Insert rows whose natural key is not there yet; returns the primary keys this call inserted.

    What a concurrent writer inserted first is skipped, not an error: the unique key, not a prior
    read, decides, so two writers of the same rows converge on one copy.
    """
    if not rows:
        return []
    stmt = _insert(session, table).on_conflict_do_nothing(index_elements=list(keys))
    stmt = stmt.returning(*table.primary_key.columns)
    inserted: list[Any] = []
    for part in chunks(rows, len(rows[0])):
        inserted += session.execute(stmt, list(part)).scalars().all()
    return inserted


def insert_or_ignore(session: Session, table: Table, row: dict[str, Any], keys: Sequence[str] | None) -> bool:
    """Insert one row unless its natural key exists; True if this call inserted it.

    Concurrent callers converge: on PostgreSQL the second waits for the first to commit, then
    inserts nothing instead of failing on the unique key. ``keys=None`` lets every unique
    constraint of the table arbitrate: with a target, PostgreSQL ignores a conflict on that key
    only, and a concurrent insert that clashes on another unique column first is an error.
    """
    target = {"index_elements": list(keys)} if keys is not None else {}
    stmt = _insert(session, table).values(**row).on_conflict_do_nothing(**target)
    # RETURNING rather than rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return session.execute(stmt.returning(*table.primary_key.columns)).first() is not None


IN_LIST = 5_000  # values per IN list: drivers and databases limit bound parameters


def in_lists(values: Iterable[Any]) -> Iterable[list[Any]]:
    """``values`` in slices of ``IN_LIST``, one IN list (one query) each."""
    values = list(values)
    for start in range(0, len(values), IN_LIST):
        yield values[start : start + IN_LIST]


def select_in(session: Session, columns: Sequence[Any], key: Any, values: Sequence[Any]) -> list[Any]:
    """Rows whose ``key`` is in ``values``, fetched in chunks (IN lists have limits too)."""
    out: list[Any] = []
    for part in in_lists(values):
        if isinstance(key, tuple):
            cond = tuple_(*key).in_(part)
        else:
            cond = key.in_(part)
        out.extend(session.execute(select(*columns).where(cond)).all())
    return out


def rows_in(session: Session, stmt: Any, column: Any, values: Iterable[Any]) -> list[Any]:
    """``stmt`` (a select, joins and all) restricted to ``column IN values``, in chunks."""
    out: list[Any] = []
    for part in in_lists(values):
        out.extend(session.execute(stmt.where(column.in_(part))).all())
    return out
