"""The roster gate: normalise, run the suite, apply capacity, split into accepted and quarantined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from diklat.domain.problems import Problem
from diklat.domain.roster import normalise_roster
from diklat.gate.gx import INDEX, run_checks
from schemas.suites import RosterRules, roster_checks


@dataclass(frozen=True)
class Gated:
    """A frame that passed the gate. Persistence accepts nothing else, so the gate cannot be skipped."""

    kind: str
    accepted: pd.DataFrame
    quarantined: pd.DataFrame  # row_number, raw (dict), problems (list[Problem]), subject_key
    rows_read: int

    def __post_init__(self) -> None:
        if len(self.accepted) + len(self.quarantined) != self.rows_read:
            raise AssertionError("gate lost rows: accepted + quarantined != read")


def gate_roster(raw: pd.DataFrame, rules: RosterRules, today: date) -> Gated:
    """Every row ends accepted or quarantined with all its reasons; over-capacity rows come last."""
    frame = normalise_roster(raw, today)
    problems = apply_failures(frame, run_checks("roster", frame, roster_checks(rules)))
    ok = problems.map(len).eq(0)
    new = ok & ~frame["nip"].isin(rules.enrolled_here)
    free = max(0, rules.capacity - len(rules.enrolled_here))
    seat_order = new.cumsum()
    for pos in (new & (seat_order > free)).to_numpy().nonzero()[0]:
        problems.iloc[pos] = [Problem("capacity.exceeded", None, {"capacity": rules.capacity})]
    frame["problems"] = problems
    return split(frame, raw, "roster", roster_subject(frame))


def roster_subject(frame: pd.DataFrame) -> pd.Series:
    """What a quarantined roster row is about: its NIP, or its name when the NIP itself is broken."""
    by_name = "name:" + frame["name"].str.strip().str.casefold()
    return frame["nip"].where(frame["nip"].notna(), by_name)


def apply_failures(frame: pd.DataFrame, failures: list) -> pd.Series:
    """Add each failing check's problem to its rows, unless the normaliser already explained that column."""
    problems = frame["problems"].map(list)
    explained = frame["problems"].map(lambda found: {p.column for p in found})  # by the normaliser only
    position = pd.Series(range(len(frame)), index=frame[INDEX].to_numpy())
    for failure in failures:
        check = failure.check
        for row_number in failure.rows:
            pos = int(position[row_number])
            found = problems.iloc[pos]
            if check.column in explained.iloc[pos]:
                continue
            params = check.params(frame.iloc[pos]) if check.params else {}
            value = frame[check.column].iloc[pos] if check.column in frame else None
            params.setdefault("value", "" if value is None else str(value))
            found.append(Problem(check.code, check.column, params))
    return problems


def split(frame: pd.DataFrame, raw: pd.DataFrame, kind: str, subject: pd.Series) -> Gated:
    """Accepted rows keep normalised values; quarantined rows keep the raw text exactly as read."""
    bad = frame["problems"].map(len).gt(0).to_numpy()
    raw_rows = raw.loc[bad].astype(object).where(raw.loc[bad].notna(), None)
    quarantined = pd.DataFrame(
        {
            INDEX: frame.loc[bad, INDEX].astype(int).to_numpy(),
            "raw": raw_rows.drop(columns=[INDEX]).to_dict("records"),
            "problems": frame.loc[bad, "problems"].to_numpy(),
            "subject_key": subject[bad].astype(object).where(subject[bad].notna(), None).to_numpy(),
            "quarantine_id": frame.loc[bad, "quarantine_id"].to_numpy() if "quarantine_id" in frame else None,
        }
    )
    accepted = frame.loc[~bad].drop(columns=["problems"]).reset_index(drop=True)
    return Gated(kind, accepted, quarantined, len(frame))
