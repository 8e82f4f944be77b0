"""The programme template: every number of a programme that a regulation (or an assumption) fixes.

Templates are versioned data files (``diklat/templates/*.yaml``); this model validates them. A
cohort stores the exact template body it opened under, so a new version never changes it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.golongan import GOLONGAN


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(_Strict):
    code: str
    title: str
    kind: Literal["classical", "workplace"]
    learning_days: int | None = Field(None, ge=1, description="Classical: working days of sessions.")
    calendar_days: int | None = Field(None, ge=1, description="Workplace: calendar days.")
    jp: int = Field(ge=0, description="Jam pelajaran (45-minute lesson hours) in this phase.")

    @model_validator(mode="after")
    def _days_fit_kind(self) -> Phase:
        if self.kind == "classical" and not self.learning_days:
            raise ValueError(f"classical phase {self.code} needs learning_days")
        if self.kind == "workplace" and not self.calendar_days:
            raise ValueError(f"workplace phase {self.code} needs calendar_days")
        return self


class Agenda(_Strict):
    code: str
    title: str
    phase: str
    jp: int = Field(ge=1)


class MilestoneSpec(_Strict):
    code: str
    kind: Literal["attendance", "deliverable", "seminar", "coaching", "assessment"]
    title: str
    phase: str
    anchor: Literal["start", "end"]
    offset_days: int = 0
    required: bool = True
    stage: str | None = Field(None, description="Deliverable/seminar stage whose evidence meets it.")
    revision_days: int | None = Field(None, ge=0, description="Days allowed to clear a 'revise' outcome.")


class Component(_Strict):
    code: str
    title: str
    weight: Decimal = Field(gt=0)


class Band(_Strict):
    label: str
    above: Decimal | None = Field(None, description="Final score strictly greater than this; None = rest.")
    passing: bool


class Assessment(_Strict):
    components: tuple[Component, ...]
    assessor_aggregate: Literal["mean"] = "mean"
    decimals: int = Field(2, ge=0, le=4)
    rounding: Literal["ROUND_HALF_UP"] = "ROUND_HALF_UP"
    score_min: Decimal = Decimal(0)
    score_max: Decimal = Decimal(100)
    bands: tuple[Band, ...]

    @model_validator(mode="after")
    def _weights_and_bands(self) -> Assessment:
        total = sum((c.weight for c in self.components), Decimal(0))
        if total != Decimal(100):
            raise ValueError(f"component weights add up to {total}, not 100")
        edges = [b.above for b in self.bands]
        if edges[-1] is not None or any(e is None for e in edges[:-1]):
            raise ValueError("every band but the last needs 'above'; the last band has none")
        if edges[:-1] != sorted(edges[:-1], reverse=True):
            raise ValueError("bands must be listed from the highest edge down")
        return self


class Coaching(_Strict):
    max_participants_per_coach: int = Field(ge=1)
    max_gap_days: int = Field(ge=1, description="Longest allowed stretch without coaching or mentoring.")


class Wave(_Strict):
    code: str
    months_after_close: int = Field(ge=0)


class Evaluation(_Strict):
    waves: tuple[Wave, ...]
    likert_max: int = 5
    behaviour_follow_up_below: Decimal
    peer_min_group: int = Field(3, ge=2)
    sustained_statuses: tuple[str, ...]
    report_good_at: Decimal = Field(
        Decimal("4.00"),
        description="A mean on the Likert scale at or above this reads 'good' in the evaluation reports' conclusions "
        "(ASSUMPTION: no source fixes it).",
    )
    report_poor_below: Decimal = Field(
        Decimal("3.00"),
        description="A mean below this reads 'needs improvement' and brings a recommendation (ASSUMPTION).",
    )
    report_sustained_target: Decimal = Field(
        Decimal("80"),
        ge=0,
        le=100,
        description="Percent of change actions sustained the reports take as met (ASSUMPTION).",
    )
    link_valid_days: int = Field(
        30,
        ge=1,
        description="Days a respondent's one-time questionnaire link stays valid after it is sent (ASSUMPTION: no "
        "source fixes it; versions that leave it out keep their fingerprint and take 30).",
    )


class Template(_Strict):
    """One version of a programme template (see PKP.md for the source of every default)."""

    code: str
    version: str
    name: str
    basis: str
    nominal_days: int
    capacity: int = Field(ge=1)
    minimum_golongan: str
    attendance_minimum_percent: Decimal = Field(ge=0, le=100)
    holiday_categories: tuple[str, ...] = ("public",)
    days_off: tuple[date, ...] = Field(
        (), description="The agency's own days off known when the version is published (local holidays)."
    )
    phases: tuple[Phase, ...]
    agendas: tuple[Agenda, ...]
    milestones: tuple[MilestoneSpec, ...]
    assessment: Assessment
    coaching: Coaching
    evaluation: Evaluation
    certificate_number: str = Field(description="Format with {programme}, {cohort}, {seq}, {year}.")
    assumptions: tuple[str, ...] = Field((), description="Fields no source fixed (see PKP.md).")

    @model_validator(mode="after")
    def _consistent(self) -> Template:
        if self.minimum_golongan not in GOLONGAN:
            raise ValueError(f"minimum_golongan {self.minimum_golongan!r} is not a golongan")
        codes = {p.code for p in self.phases}
        if len(codes) != len(self.phases):
            raise ValueError("phase codes must be unique")
        days = sum((p.learning_days or p.calendar_days or 0) for p in self.phases)
        if days != self.nominal_days:
            raise ValueError(f"phases add up to {days} days, the template says {self.nominal_days}")
        for item in (*self.agendas, *self.milestones):
            if item.phase not in codes:
                raise ValueError(f"{item.code} names unknown phase {item.phase!r}")
        for phase in self.phases:
            agenda_jp = sum(a.jp for a in self.agendas if a.phase == phase.code)
            if phase.kind == "classical" and agenda_jp != phase.jp:
                raise ValueError(f"agendas of {phase.code} give {agenda_jp} JP, the phase has {phase.jp}")
        if len({m.code for m in self.milestones}) != len(self.milestones):
            raise ValueError("milestone codes must be unique")
        return self

    @property
    def classical_jp(self) -> int:
        return sum(p.jp for p in self.phases if p.kind == "classical")

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"
