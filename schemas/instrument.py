"""The post-training evaluation instrument: Kirkpatrick's four levels as versioned data (PKP.md).

An instrument is a YAML file (``diklat/templates/instruments/*.yaml``) validated by these models.
Answers are stored against item codes, so an agency that adds or rewords items publishes a new
version instead of editing one in use. ``schemas.files.RESPONSES`` describes the answers file (long
format: one row per answer).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["alumni", "atasan", "rekan"]
ItemKind = Literal["likert", "score", "choice", "multi"]

ROLES: tuple[str, ...] = ("alumni", "atasan", "rekan")
COURSE_WAVE = "course"  # answers given while the course runs (levels with during_course only)
MULTI_SEPARATOR = ";"
SCORE_MIN, SCORE_MAX = 0, 100  # kind "score" (pre/post tests)

# Items the summary reads by code; an instrument that has them must give them these kinds and levels.
PRE_TEST, POST_TEST = "pre_test", "post_test"
AP_STATUS, OBSTACLES = "ap_status", "obstacles"
SPECIAL_ITEMS: dict[str, tuple[int, str]] = {
    PRE_TEST: (2, "score"),
    POST_TEST: (2, "score"),
    AP_STATUS: (4, "choice"),
    OBSTACLES: (4, "multi"),
}

_CODE = re.compile(r"[a-z][a-z0-9_]*")
INSTRUMENT_DIR = Path(__file__).resolve().parents[1] / "diklat" / "templates" / "instruments"
DEFAULT_INSTRUMENT = "kirkpatrick-2022.1.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    code: str = Field(description="Stable code answers are stored under (lower-case letters, digits, _).")
    text: str = Field(min_length=1, description="The question as respondents read it (Indonesian).")
    kind: ItemKind
    aspect: str | None = Field(None, description="L1: pendidikan|widyaiswara|fasilitas|pelayanan; L3: group.")
    choices: tuple[str, ...] = Field((), description="Answer codes of a choice/multi item.")

    @model_validator(mode="after")
    def _choices_fit_kind(self) -> Item:
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"item code {self.code!r} must be lower-case letters, digits and _")
        if self.kind in ("likert", "score") and self.choices:
            raise ValueError(f"{self.kind} item {self.code} takes no choices")
        if self.kind in ("choice", "multi"):
            if not self.choices:
                raise ValueError(f"{self.kind} item {self.code} needs choices")
            if len(set(self.choices)) != len(self.choices):
                raise ValueError(f"item {self.code} repeats a choice")
            bad = [c for c in self.choices if not _CODE.fullmatch(c)]
            if bad:
                raise ValueError(f"choices of {self.code} must be codes (lower-case letters, digits, _): {bad}")
        return self


class Level(_Strict):
    level: int = Field(ge=1, le=4, description="Kirkpatrick level: 1 reaction, 2 learning, 3 behaviour, 4 results.")
    title: str
    roles: tuple[Role, ...] = Field(min_length=1, description="Who answers this level's items.")
    during_course: bool = Field(False, description="May be answered while the course runs (L1 and L2 only).")
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Level:
        if len(set(self.roles)) != len(self.roles):
            raise ValueError(f"level {self.level} repeats a role")
        if self.during_course and self.level > 2:
            raise ValueError(f"level {self.level} cannot be answered during the course (only levels 1 and 2)")
        return self


class Instrument(_Strict):
    """One version of an evaluation instrument (see PKP.md, "Post-training evaluation")."""

    code: str
    version: str
    name: str
    levels: tuple[Level, ...] = Field(min_length=1)
    assumptions: tuple[str, ...] = Field((), description="Choices no source fixed (see PKP.md).")
    questions: dict[str, str] = Field(
        default_factory=dict,
        description="Question texts of the agency's survey forms (Google Forms, Microsoft Forms) -> item code, "
        "where the form words a question otherwise than the item's text.",
    )

    @model_validator(mode="after")
    def _unique(self) -> Instrument:
        numbers = [lv.level for lv in self.levels]
        if len(set(numbers)) != len(numbers):
            raise ValueError("each level may appear only once")
        codes = [item.code for lv in self.levels for item in lv.items]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        unknown = sorted(set(self.questions.values()) - set(codes))
        if unknown:
            raise ValueError(f"questions map to unknown items: {', '.join(unknown)}")
        if repeated:
            raise ValueError(f"item codes must be unique across the instrument: {', '.join(repeated)}")
        for lv in self.levels:
            for item in lv.items:
                if item.code in SPECIAL_ITEMS and SPECIAL_ITEMS[item.code] != (lv.level, item.kind):
                    level, kind = SPECIAL_ITEMS[item.code]
                    raise ValueError(f"item {item.code} must be a {kind} item of level {level}")
        return self

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def item(self, code: str) -> Item:
        return self.item_levels()[code][1]

    def item_levels(self) -> dict[str, tuple[Level, Item]]:
        """Every item by code, with the level it belongs to."""
        return {item.code: (lv, item) for lv in self.levels for item in lv.items}

    def level(self, number: int) -> Level | None:
        return next((lv for lv in self.levels if lv.level == number), None)


def load_instrument_file(path: Path) -> Instrument:
    """Read and validate one instrument file."""
    return Instrument.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def default_instrument() -> Instrument:
    """The built-in Kirkpatrick instrument (an ASSUMPTION, see its header comment)."""
    return load_instrument_file(INSTRUMENT_DIR / DEFAULT_INSTRUMENT)
