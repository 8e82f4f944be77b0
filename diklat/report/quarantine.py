"""Quarantined rows as an operator reads them: in the terminal, as an artifact, as a file to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diklat.domain.nip import mask_nip
from diklat.domain.problems import Blocked, Problem
from diklat.i18n import N_, translator
from diklat.io.write import write_records
from diklat.messages import render

NIP_COLUMNS = {"nip", "superior_nip", "by_nip", "alumnus_nip"}
REASON_HEADER = N_("REASON")
ID_HEADER = "ID KARANTINA"


def masked_problem(problem: Problem) -> Problem:
    """The same problem with any NIP value it quotes masked (for logs, artifacts and terminals)."""
    if problem.column in NIP_COLUMNS and problem.params.get("value"):
        return Problem(
            problem.code, problem.column, {**problem.params, "value": mask_nip(str(problem.params["value"]))}
        )
    return problem


def blocked_text(blocked: Blocked, kind: str) -> str:
    """Why a step stopped, in the operator's words, NIPs masked (with one row's reason when there is one)."""
    text = render(masked_problem(blocked.problem), kind)
    if blocked.example is not None:
        text += " " + render(masked_problem(blocked.example), kind)
    return text


def reasons_text(reasons: list[dict[str, Any]], kind: str, language: str | None, mask: bool) -> str:
    problems = [Problem.from_dict(r) for r in reasons]
    if mask:
        problems = [masked_problem(p) for p in problems]
    return " ".join(render(p, kind, language) for p in problems)


def quarantine_rows(
    rows: pd.DataFrame, kind: str, language: str | None = None, mask: bool = True, limit: int | None = 200
) -> list[dict[str, Any]]:
    """Row number, masked NIP and every reason, for a table artifact or a terminal table."""
    _ = translator(language)
    out = []
    for rec in rows.head(limit).to_dict("records") if limit else rows.to_dict("records"):
        raw_nip = str((rec["raw"] or {}).get("nip") or "")
        out.append(
            {
                _("Row"): int(rec["row_number"]),
                "NIP": mask_nip(raw_nip) if mask else raw_nip,
                _("Reasons"): reasons_text(rec["reasons"], kind, language, mask),
            }
        )
    return out


def write_rejected_file(
    rows: pd.DataFrame, headers: dict[str, str], path: Path, kind: str, language: str | None = None
) -> Path:
    """The rejected rows in the operator's own columns, plus the reasons and the quarantine id.

    Fixed and sent back as it is, the file resolves exactly these rows (matched by ``ID KARANTINA``).
    """
    _ = translator(language)
    original = {canonical: header for header, canonical in headers.items()}
    records = []
    for raw, quarantine_id, reasons in zip(rows["raw"], rows["id"], rows["reasons"], strict=True):
        row = {original.get(k, k): v for k, v in (raw or {}).items() if k != "quarantine_id"}
        row[ID_HEADER] = quarantine_id
        row[_(REASON_HEADER)] = reasons_text(reasons, kind, language, mask=False)
        records.append(row)
    return write_records(records, path)
