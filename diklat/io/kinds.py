"""Tell a file's kind from its header row: roster, coaches, attendance, … never from its name.

A kind fits when every required column of its format is among the headers; of the kinds that fit,
the one that explains the most headers wins (a personnel export is also a valid roster, but its
"JENIS JABATAN" and "TMT JABATAN" columns say what it is). Two kinds that explain the same headers
are ambiguous: the operator is asked to rename a header, never guessed for. The header row is
searched among the first rows, under a title block ("DAFTAR PESERTA …") if there is one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from diklat.io.headers import header_key
from diklat.io.read import first_rows
from schemas.files import SPECS


@dataclass(frozen=True)
class Recognised:
    """The kind (None when unknown or ambiguous), the header's row number, and the kinds that fit."""

    kind: str | None
    header_row: int
    fitting: tuple[str, ...]
    sha256: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.kind is None and len(self.fitting) > 1


def _fit(keys: set[str], kind: str) -> tuple[int, int] | None:
    """(headers explained, columns matched) when every required column of ``kind`` is present."""
    spec = SPECS[kind]
    matched = {column.name: {header_key(a) for a in (column.name, *column.aliases)} & keys for column in spec.columns}
    if any(not matched[column.name] for column in spec.required):
        return None
    explained = set().union(*matched.values())
    return len(explained), sum(1 for found in matched.values() if found)


def recognise(headers: Sequence[str | None], kinds: Iterable[str]) -> tuple[str | None, tuple[str, ...]]:
    """The kind of one header row among ``kinds``, and every kind that fits it, best first."""
    keys = {header_key(h) for h in headers if h}
    scored = sorted(
        ((fit, kind) for kind in kinds if (fit := _fit(keys, kind)) is not None), key=lambda x: x[0], reverse=True
    )
    fitting = tuple(kind for _, kind in scored)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None, fitting
    return scored[0][1], fitting


def recognise_file(path: Path, kinds: Iterable[str]) -> Recognised:
    """Try each of the first rows as the header row; the first one a kind fits decides."""
    sha, rows = first_rows(path)
    kinds = tuple(kinds)
    for number, row in enumerate(rows, 1):
        kind, fitting = recognise(row, kinds)
        if fitting:
            return Recognised(kind, number, fitting, sha)
    return Recognised(None, 0, (), sha)
