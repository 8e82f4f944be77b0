"""Civil-service rank (golongan/ruang), I/a Juru Muda to IV/e Pembina Utama.

PP 99/2000 (ranks of PNS): golongan I–III have ruang a–d, golongan IV has a–e. Operators write the
same rank many ways (`III/b`, `3b`, `III-B`, `Penata Muda Tk. I (III/b)`); everything is stored as `III/b`.
"""

from __future__ import annotations

import re

from diklat.domain.problems import Problem
from diklat.domain.values import is_missing
from schemas.golongan import GOLONGAN, TITLES

COLUMN = "golongan"


_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "i": "I", "ii": "II", "iii": "III", "iv": "IV"}
# Longest numeral first so that `iiib` reads as III + b, not II + ib.
_CODE = re.compile(r"(iv|iii|ii|i|[1-4])\s*[/\-.]?\s*([a-e])")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# `Gol. III/b`, `Golongan/Ruang III/b`: the label some sheets repeat in every cell.
_PREFIX = re.compile(r"^gol(?:ongan)?\.?\s*(?:/\s*ruang)?\s*[:.]?\s*", re.IGNORECASE)


def _title_key(text: str) -> str:
    """Spelling-insensitive key of a rank title: `Penata Muda Tingkat I` ~ `penata muda tk. 1`."""
    text = re.sub(r"[.,]", " ", text.casefold())
    text = re.sub(r"\btingkat\b", "tk", text)
    text = re.sub(r"\btk\s*(?:i|1)\b", "tk i", text)
    return " ".join(text.split())


_BY_TITLE = {_title_key(title): code for code, title in TITLES.items()}


def _from_code(text: str) -> str | None:
    """`III/b`, `iii-B`, `3b`, `III . b` → `III/b` (PP 99/2000: only golongan IV has ruang e)."""
    match = _CODE.fullmatch(" ".join(text.casefold().split()))
    if match is None:
        return None
    code = f"{_ROMAN[match[1]]}/{match[2]}"
    return code if code in TITLES else None


def _from_part(text: str) -> str | None:
    """One piece of the cell read as a code or as a title."""
    return _from_code(text) or _BY_TITLE.get(_title_key(text))


def normalize_golongan(raw: object) -> str | None:
    """Canonical rank `III/b` from a code, a title, or `title (code)` (PP 99/2000); None if unrecognised."""
    if is_missing(raw):
        return None
    text = _PREFIX.sub("", str(raw).strip())
    parts = [*_PARENTHESES.findall(text), _PARENTHESES.sub(" ", text)]
    codes = {_from_part(part) for part in parts if part.strip()}
    # `Penata (III/b)` contradicts itself: better unknown than a guess.
    return codes.pop() if len(codes) == 1 else None


def rank_index(g: str) -> int:
    """Position of a rank from I/a = 0 to IV/e = 16 (PP 99/2000 order); ValueError if unknown."""
    code = normalize_golongan(g)
    if code is None:
        raise ValueError(f"unknown golongan: {g!r}")
    return GOLONGAN.index(code)


def at_least(g: str, minimum: str) -> bool:
    """True when rank ``g`` is ``minimum`` or higher (PKP eligibility, default minimum III/a)."""
    return rank_index(g) >= rank_index(minimum)


def check_golongan(raw: object, minimum: str | None) -> tuple[str | None, list[Problem]]:
    """Validate a rank and the PKP minimum; the rank is returned even when below the minimum."""
    if is_missing(raw):
        return None, [Problem("golongan.missing", COLUMN, {"value": ""})]
    code = normalize_golongan(raw)
    if code is None:
        return None, [Problem("golongan.unknown", COLUMN, {"value": str(raw)})]
    if minimum is not None and not at_least(code, minimum):
        floor = GOLONGAN[rank_index(minimum)]
        return code, [Problem("golongan.below_minimum", COLUMN, {"value": code, "minimum": floor})]
    return code, []
