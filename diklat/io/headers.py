"""Match the headers of an operator file to the canonical columns of a FileSpec."""

from __future__ import annotations

from diklat.domain.problems import FileProblem, Problem
from schemas.files import FileSpec


def header_key(text: str) -> str:
    """Reduce a header to lowercase letters and digits, so `GOL/RUANG` and `gol_ruang` compare equal."""
    return "".join(ch for ch in text.replace("\ufeff", "").lower() if ch.isalnum())


def alias_index(spec: FileSpec) -> dict[str, str]:
    """Header key -> canonical name; the canonical name is always accepted as a header too."""
    index: dict[str, str] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            # First column wins if two specs ever share an alias, so matching stays deterministic.
            index.setdefault(header_key(alias), column.name)
    return index


def match_headers(headers: list[str], spec: FileSpec, file_name: str = "") -> dict[str, str]:
    """Map each file header to its canonical column name; unknown headers map to themselves."""
    index = alias_index(spec)
    mapping: dict[str, str] = {}
    seen: dict[str, list[str]] = {}
    for header in headers:
        canonical = index.get(header_key(header))
        if canonical is None:
            mapping.setdefault(header, header)
            continue
        seen.setdefault(canonical, []).append(header)
        mapping[header] = canonical

    for canonical, found in seen.items():
        if len(found) > 1:
            problem = Problem("file.duplicate_column", column=canonical, params={"file": file_name, "headers": found})
            raise FileProblem(problem, file_name)

    missing = [c for c in spec.required if c.name not in seen]
    if missing:
        params = {
            "file": file_name,
            "missing": [c.name for c in missing],
            "expected": [c.aliases[0] if c.aliases else c.name for c in missing],
            "found": list(headers),
        }
        raise FileProblem(Problem("file.missing_columns", params=params), file_name)
    return mapping
