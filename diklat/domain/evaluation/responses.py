"""Normalising an answers file: canonical role, wave, item, respondent and answer, with problems per row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from diklat.domain.evaluation.answers import parse_answer
from diklat.domain.evaluation.waves import wave_order
from diklat.domain.evidence import key_of, stage_code
from diklat.domain.nip import check_nip, check_nips, normalize_nip
from diklat.domain.problems import Problem
from diklat.domain.roster import first_row_of_duplicates
from diklat.domain.values import is_missing
from schemas.instrument import COURSE_WAVE, ROLES, Instrument

KEY = ("nip", "wave", "role", "respondent", "item")  # one answer per alumnus, wave, role, respondent and item

# What operators write in PERAN / GELOMBANG, compared as stage_code (case, spaces and dashes ignored).
ROLE_ALIASES = {
    "alumni": "alumni",
    "alumnus": "alumni",
    "peserta": "alumni",
    "diri_sendiri": "alumni",
    "atasan": "atasan",
    "atasan_langsung": "atasan",
    "rekan": "rekan",
    "rekan_kerja": "rekan",
    "rekan_sejawat": "rekan",
    "sejawat": "rekan",
}
COURSE_ALIASES = frozenset({COURSE_WAVE, "pelatihan", "selama_pelatihan"})


@dataclass(frozen=True)
class ResponseContext:
    """What an answers file is checked against: the cohort's alumni and the waves it may answer."""

    alumni: frozenset[str]  # NIPs of the cohort's participants
    waves: frozenset[str]  # e.g. {"course", "3m", "6m"}: the template's wave codes, plus "course"
    superiors: Mapping[str, str] = field(default_factory=dict)  # alumnus NIP -> recorded superior NIP
    likert_max: int = 5  # template evaluation.likert_max
    # wave -> the instrument version that wave runs with (pinned when it opened); other waves use the
    # instrument the caller passes (the current one)
    instruments: Mapping[str, Instrument] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# normalising the answers file


def normalise_responses(raw: pd.DataFrame, instrument: Instrument, ctx: ResponseContext, today: date) -> pd.DataFrame:
    """Canonical role, wave, item, respondent and answer for every row, with the problems found.

    Adds ``level``, ``alumnus_nip`` (= ``nip``) and ``respondent_key`` (= ``respondent``), the
    columns ``summarise`` reads, and ``duplicate_of_row``. The respondent of an alumni row is the
    alumnus (empty or their own NIP); of an atasan row a NIP (empty: the recorded superior); of a
    rekan row any identifier (a NIP in any spelling, or a code compared without case).
    """
    frame = raw.copy()
    for column in ("respondent", "quarantine_id"):
        if column not in frame:
            frame[column] = None
    problems: list[list[Problem]] = [[] for _ in range(len(frame))]

    frame["nip"], nip_problems = check_nips(frame["nip"], today)
    for pos, found in enumerate(nip_problems.tolist()):
        problems[pos].extend(found)

    def lookup(inst: Instrument) -> tuple[dict, dict[str, str]]:
        levels = inst.item_levels()
        return levels, {stage_code(code): code for code in levels}

    current = lookup(instrument)
    by_wave = {wave: lookup(inst) for wave, inst in ctx.instruments.items()}
    keys = {wave: inst.key for wave, inst in ctx.instruments.items()}
    wave_codes = {stage_code(w): w for w in ctx.waves}
    if COURSE_WAVE in ctx.waves:
        wave_codes.update(dict.fromkeys(COURSE_ALIASES, COURSE_WAVE))

    out: dict[str, list[Any]] = {
        c: [] for c in ("role", "wave", "item", "level", "respondent", "answer", "instrument_key")
    }
    columns = ("nip", "role", "wave", "item", "respondent", "answer")
    for pos, (nip, role_text, wave_text, item_text, who, answer_text) in enumerate(
        zip(*(frame[c].tolist() for c in columns), strict=True)
    ):
        found = problems[pos]
        if nip is not None and nip not in ctx.alumni:
            found.append(Problem("evaluation.not_alumnus", "nip", {"value": raw["nip"].iloc[pos]}))
        role = _lookup(role_text, ROLE_ALIASES, "role", ", ".join(ROLES), found)
        wave = _lookup(wave_text, wave_codes, "wave", ", ".join(wave_order(ctx.waves)), found)
        items, item_codes = by_wave.get(wave, current)  # the items of the version this wave runs with
        out["instrument_key"].append(keys.get(wave, instrument.key))
        item = _lookup(item_text, item_codes, "item", None, found)
        level = items[item][0] if item else None
        if level is not None and role is not None and role not in level.roles:
            found.append(
                Problem(
                    "evaluation.item_not_for_role",
                    "item",
                    {"value": item, "role": role, "allowed": ", ".join(level.roles)},
                )
            )
        if level is not None and wave == COURSE_WAVE and not level.during_course:
            later = ", ".join(w for w in wave_order(ctx.waves) if w != COURSE_WAVE)
            found.append(
                Problem(
                    "evaluation.wrong_wave",
                    "wave",
                    {"value": wave, "item": item, "level": level.level, "allowed": later},
                )
            )
        out["role"].append(role)
        out["wave"].append(wave)
        out["item"].append(item)
        out["level"].append(level.level if level else None)
        out["respondent"].append(_respondent(role, who, nip, ctx, today, found))
        answer = None
        if item is not None:
            answer, problem = parse_answer(items[item][1], answer_text, ctx.likert_max)
            if problem is not None:
                found.append(problem)
        out["answer"].append(answer)

    for column, values in out.items():
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    frame["alumnus_nip"] = frame["nip"]
    frame["respondent_key"] = frame["respondent"]

    complete = frame[list(KEY)].notna().all(axis=1)
    frame["duplicate_of_row"] = first_row_of_duplicates(key_of(frame, KEY).where(complete), frame["row_number"])
    for pos, first in enumerate(frame["duplicate_of_row"].tolist()):
        if first is not None:
            problems[pos].append(Problem("row.duplicate_key", "nip", {"first_row": int(first)}))
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame


def _lookup(
    text: object, known: Mapping[str, str], column: str, allowed: str | None, found: list[Problem]
) -> str | None:
    if is_missing(text):
        found.append(Problem("value.missing", column))
        return None
    value = known.get(stage_code(text))
    if value is None:
        listed = allowed if allowed is not None else ", ".join(sorted(set(known.values())))
        found.append(Problem("value.not_allowed", column, {"value": str(text).strip(), "allowed": listed}))
    return value


def _respondent(
    role: str | None, text: object, nip: str | None, ctx: ResponseContext, today: date, found: list[Problem]
) -> str | None:
    """The respondent's key: the alumnus's NIP (alumni), a superior's NIP (atasan), a peer identifier (rekan)."""
    if role == "alumni":
        if not is_missing(text) and nip is not None and normalize_nip(text) != nip:
            found.append(Problem("evaluation.respondent_not_self", "respondent", {"value": str(text).strip()}))
            return None
        return nip
    if role == "atasan":
        if is_missing(text):
            superior = ctx.superiors.get(nip) if nip else None
            if superior is None:
                found.append(Problem("value.missing", "respondent"))
            return superior
        superior, nip_problems = check_nip(text, today)
        found.extend(Problem(p.code, "respondent", p.params) for p in nip_problems)
        if superior is not None and superior == nip:
            found.append(Problem("superior.self", "respondent"))
            return None
        return superior
    if role == "rekan":
        if is_missing(text):
            found.append(Problem("value.missing", "respondent"))
            return None
        peer = peer_key(text)
        if nip is not None and peer == nip:
            found.append(Problem("evaluation.self_as_peer", "respondent"))
            return None
        return peer
    return None


def peer_key(text: object) -> str:
    """A peer's identifier: a NIP in any spelling becomes its 18 digits, a code is compared without case."""
    nip = normalize_nip(text) or ""
    if len(nip) == 18 and nip.isascii() and nip.isdigit():
        return nip
    return " ".join(str(text).split()).casefold()
