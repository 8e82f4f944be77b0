"""The roster gate: normalise, run the suite, apply capacity, split into accepted and quarantined."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from diklat.domain.gated import Gated
from diklat.domain.golongan import at_least
from diklat.domain.problems import Problem
from diklat.domain.roster import normalise_roster
from diklat.gate.gx import INDEX, run_checks
from diklat.gate.limits import length_checks
from diklat.gate.suites import RosterRules, roster_checks

COHORT = "cohort_key"  # which cohort a row of a concatenated batch belongs to


def gate_roster(raw: pd.DataFrame, rules: RosterRules, today: date) -> Gated:
    """Every row ends accepted or quarantined with all its reasons; over-capacity rows come last."""
    return gate_rosters(raw.assign(**{COHORT: 0}), {0: rules}, today)[0]


def gate_rosters(raw: pd.DataFrame, rules: Mapping[Hashable, RosterRules], today: date) -> dict[Hashable, Gated]:
    """Gate the rosters of many cohorts in ONE Great Expectations run (its fixed cost is ~40 ms a run).

    ``raw`` is the concatenation of the files, each row tagged with its cohort in ``COHORT``;
    ``row_number`` stays the row of its own file, so every message points into the operator's file.
    A NIP that passes for two cohorts of the same batch stays with the first one listed.
    """
    frame = normalise_roster(raw, today)
    key = frame[COHORT]
    minimum = key.map({k: r.minimum_golongan for k, r in rules.items()})
    frame["minimum_golongan"] = minimum
    pairs = {(g, m) for g, m in zip(frame["golongan"], minimum, strict=True) if g is not None}
    eligible = {pair: at_least(*pair) for pair in pairs}
    frame["golongan_eligible"] = [
        None if g is None else eligible[(g, m)] for g, m in zip(frame["golongan"], minimum, strict=True)
    ]
    frame["elsewhere"] = [
        None if nip is None else rules[k].running_elsewhere.get(nip) for k, nip in zip(key, frame["nip"], strict=True)
    ]
    # GX reports failing rows by an index column, which must be unique across the concatenation.
    file_rows = frame[INDEX].to_numpy()
    frame[INDEX] = range(1, len(frame) + 1)
    checks = roster_checks() + length_checks("roster", frame.columns)
    problems = apply_failures(frame, run_checks("roster", frame, checks))
    frame[INDEX] = file_rows

    ok = problems.map(len).eq(0)
    taken = ok & frame["nip"].where(ok).duplicated(keep="first")
    if taken.any():
        first_key = frame.loc[ok].drop_duplicates("nip").set_index("nip")[COHORT]
        for pos in taken.to_numpy().nonzero()[0]:
            label = rules[first_key[frame["nip"].iloc[pos]]].label
            problems.iloc[pos] = [Problem("enrolment.in_running_cohort", "nip", {"cohort": label})]
        ok &= ~taken

    enrolled = {(k, nip) for k, r in rules.items() for nip in r.enrolled_here}
    new = ok & pd.Series([(k, n) not in enrolled for k, n in zip(key, frame["nip"], strict=True)], index=frame.index)
    free = key.map({k: max(0, r.capacity - len(r.enrolled_here)) for k, r in rules.items()})
    over = new & (new.astype(int).groupby(key).cumsum() > free)
    for pos in over.to_numpy().nonzero()[0]:
        problems.iloc[pos] = [Problem("capacity.exceeded", None, {"capacity": rules[key.iloc[pos]].capacity})]
    frame["problems"] = problems
    whole = split(frame, raw.drop(columns=[COHORT]), "roster", roster_subject(frame))
    return _by_cohort(whole, key, rules)


def _by_cohort(whole: Gated, key: pd.Series, rules: Mapping[Hashable, RosterRules]) -> dict[Hashable, Gated]:
    """One Gated per cohort (a cohort whose file had no rows gets an empty one).

    Sliced, not grouped: the files were concatenated one after the other, so a cohort's rows are one
    run. A groupby's sub-frame per cohort, each with its column dropped, cost ~1 ms: 3 s at 3,334
    cohorts (issue #17). Rows out of order are put in order first, stably, so the slicing stays right.
    """
    cohorts = list(rules)
    accepted = _slices(whole.accepted.drop(columns=[COHORT]), whole.accepted[COHORT], cohorts)
    quarantined = _slices(whole.quarantined, key[whole.bad_mask], cohorts)
    read = key.value_counts()
    return {k: Gated("roster", accepted[k], quarantined[k], int(read.get(k, 0))) for k in cohorts}


def _slices(frame: pd.DataFrame, keys: pd.Series, cohorts: list[Hashable]) -> dict[Hashable, pd.DataFrame]:
    """``frame`` cut into one frame per cohort of ``cohorts`` (in that order), by ``keys`` row by row."""
    codes = pd.Categorical(keys.to_numpy(), categories=cohorts).codes
    if len(codes) and (np.diff(codes) < 0).any():
        order = np.argsort(codes, kind="stable")
        frame, codes = frame.iloc[order], codes[order]
    bounds = np.searchsorted(codes, np.arange(len(cohorts) + 1))
    return {k: frame.iloc[bounds[i] : bounds[i + 1]].reset_index(drop=True) for i, k in enumerate(cohorts)}


def roster_subject(frame: pd.DataFrame) -> pd.Series:
    """What a quarantined roster row is about: its NIP, or its name when the NIP itself is broken."""
    by_name = "name:" + frame["name"].str.strip().str.casefold()
    return frame["nip"].where(frame["nip"].notna(), by_name)


def apply_failures(frame: pd.DataFrame, failures: list) -> pd.Series:
    """Add each failing check's problem to its rows, unless the normaliser already explained that column."""
    problems = frame["problems"].map(list)
    if not any(failure.rows for failure in failures):
        return problems  # the common case: nothing more to look up
    position = pd.Series(range(len(frame)), index=frame[INDEX].to_numpy())
    explained: dict[int, set] = {}  # columns the normaliser already explained, for the failing rows only
    for failure in failures:
        check = failure.check
        for row_number in failure.rows:
            pos = int(position[row_number])
            found = problems.iloc[pos]
            if pos not in explained:
                explained[pos] = {p.column for p in frame["problems"].iloc[pos]}
            if check.column in explained[pos]:
                continue
            params = check.params(frame.iloc[pos]) if check.params else {}
            value = frame[check.column].iloc[pos] if check.column in frame else None
            params.setdefault("value", "" if value is None else str(value))
            found.append(Problem(check.code, check.column, params))
    return problems


def split(frame: pd.DataFrame, raw: pd.DataFrame, kind: str, subject: pd.Series) -> Gated:
    """Accepted rows keep normalised values; quarantined rows keep the raw text exactly as read."""
    bad = np.fromiter(map(len, frame["problems"].to_numpy()), dtype=bool, count=len(frame))
    if not bad.any():  # the common case: a whole chunk's cohorts each pay little for an empty quarantine
        return Gated(kind, frame.drop(columns=["problems"]).reset_index(drop=True), empty_quarantine(), len(frame), bad)
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
    return Gated(kind, accepted, quarantined, len(frame), bad_mask=bad)


def split_part(
    joint: pd.DataFrame,
    rows: slice,
    columns: list[str],
    raw: pd.DataFrame,
    kind: str,
    subject: pd.Series,
    joint_bad: np.ndarray,
) -> Gated:
    """``split`` of one file's ``rows`` of a frame that gated many files at once, keeping ``columns``.

    ``joint_bad`` says which rows of the joint frame have problems. A file without a bad row (nearly
    all of a national assessment's 3,334) is one slice of the joint frame and an empty quarantine: a
    quarter of the time of copying its rows out and splitting them.
    """
    bad = joint_bad[rows].copy()
    if bad.any():
        return split(joint.iloc[rows][columns], raw, kind, subject.iloc[rows])
    keep = [joint.columns.get_loc(c) for c in columns if c != "problems"]
    accepted = joint.iloc[rows, keep].reset_index(drop=True)
    return Gated(kind, accepted, empty_quarantine(), len(accepted), bad)


def empty_quarantine() -> pd.DataFrame:
    """A quarantine frame with no rows, typed as ``split`` types one (a copy: callers may add to it)."""
    return _EMPTY_QUARANTINE.copy()


# What split's quarantine frame holds when it is empty (as pandas types the same columns built from no rows).
QUARANTINE_DTYPES = (
    (INDEX, "int64"),
    ("raw", "float64"),
    ("problems", "object"),
    ("subject_key", "object"),
    ("quarantine_id", "object"),
)
_EMPTY_QUARANTINE = pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in QUARANTINE_DTYPES})
