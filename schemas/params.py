"""Flow parameters as pydantic models: the Prefect UI renders them as forms with these descriptions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class OpenCohort(BaseModel):
    """Open (or top up) a cohort from the roster file an operator received."""

    program: str = Field(description="Programme name, e.g. 'PKP Kota Jambi 2022'. Created on first use.")
    cohort: int = Field(ge=1, le=999, description="Cohort (angkatan) number.")
    start: date = Field(description="First day of the cohort (YYYY-MM-DD).")
    roster: str = Field(description="Path of the roster file (.xlsx or .csv) as the worker sees it.")
    coaches: str | None = Field(None, description="Optional file of coaches (widyaiswara): NIP, NAMA, EMAIL.")
    template: str | None = Field(
        None, description="Programme template: CODE, CODE@VERSION or a .yaml path. Default: latest PKP."
    )
    today: date | None = Field(None, description="Date the rules are checked against. Default: today (WIB).")
