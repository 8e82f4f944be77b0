"""The gate of the coaches and examiners lists: the roster's NIP rules, quarantine and all."""

from __future__ import annotations

from datetime import date

import pandas as pd

from diklat.domain.gated import Gated
from diklat.domain.staff import normalise_staff
from diklat.gate.gx import run_checks
from diklat.gate.limits import length_checks
from diklat.gate.roster import apply_failures, split
from diklat.gate.suites import staff_checks

STAFF_KINDS = ("coaches", "assessors")


def gate_staff(kind: str, raw: pd.DataFrame, today: date) -> Gated:
    """Every row of a coaches or assessors file accepted or quarantined with all its reasons."""
    if kind not in STAFF_KINDS:
        raise ValueError(f"not a staff list: {kind}")
    frame = normalise_staff(raw, today)
    checks = staff_checks() + length_checks(kind, frame.columns)
    frame["problems"] = apply_failures(frame, run_checks(kind, frame, checks))
    subject = frame["nip"].where(frame["nip"].notna(), "row:" + frame["row_number"].astype(str))
    return split(frame, raw, kind, subject)
