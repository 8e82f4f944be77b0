"""Query results straight into pandas frames, without a Python object per row.

SQLAlchemy's rows cost microseconds each; a national milestone check reads millions of evidence rows.
Fetching the driver's plain tuples is ten times faster; the few conversions SQLAlchemy would have
applied (SQLite keeps dates as text, booleans as 0/1 and JSON as text) are then done per column,
once per distinct value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Boolean, Date, DateTime, Numeric
from sqlalchemy.orm import Session

from diklat.db.bulk import in_lists


def read_frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    """The rows of ``stmt`` (a select) as a frame with these column names, typed as the ORM would."""
    connection = session.connection()
    result = connection.execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame.from_records(rows, columns=columns)
    if connection.dialect.name == "sqlite":
        for name, column in zip(columns, stmt.selected_columns, strict=True):
            frame[name] = _sqlite_values(frame[name], column.type)
    return frame


def read_frame_in(session: Session, stmt: Any, column: Any, values: Iterable[Any], columns: list[str]) -> pd.DataFrame:
    """``read_frame`` of ``stmt`` restricted to ``column IN values``, in chunks (as ``rows_in`` does for rows)."""
    parts = [read_frame(session, stmt.where(column.in_(part)), columns) for part in in_lists(values)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=columns)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _sqlite_values(values: pd.Series, kind: Any) -> pd.Series:
    if isinstance(kind, DateTime):
        return _by_distinct(values, datetime.fromisoformat)
    if isinstance(kind, Date):
        return _by_distinct(values, date.fromisoformat)
    if isinstance(kind, Boolean):
        return values.astype(object).map(lambda v: None if v is None else bool(v))
    if isinstance(kind, JSON):
        return values.map(lambda v: None if v is None else json.loads(v))
    if isinstance(kind, Numeric) and kind.asdecimal and kind.scale is not None:
        # SQLite keeps a NUMERIC as a binary float; SQLAlchemy's own conversion is the text at the
        # column's scale, exact for every value the column accepted (scores: 3 places).
        return _by_distinct(values, lambda v: Decimal(f"{v:.{kind.scale}f}"), (int, float))
    return values


def _by_distinct(values: pd.Series, parse: Any, kinds: tuple[type, ...] = (str,)) -> pd.Series:
    """Parse each distinct value once (a chunk's millions of rows hold a few hundred dates or scores)."""
    parsed = {v: parse(v) for v in values.dropna().unique()}
    return values.astype(object).map(lambda v: parsed.get(v) if isinstance(v, kinds) else v)
