"""Normalising the lists of people who guide or assess a cohort (coaches, examiners).

They are civil servants too: their NIPs follow the same rules as a participant's, typed the same
ways (spaces, dots, a lost leading apostrophe), and a list naming one person twice is a mistake
worth showing, not a silent overwrite.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from diklat.domain.nip import check_nips
from diklat.domain.problems import Problem
from diklat.domain.roster import EMAIL, first_row_of_duplicates


def normalise_staff(raw: pd.DataFrame, today: date) -> pd.DataFrame:
    """Canonical NIP, trimmed name, lower-case e-mail, and the problems found while reading them."""
    frame = raw.copy()
    if "email" not in frame:
        frame["email"] = None
    problems: list[list[Problem]] = [[] for _ in range(len(frame))]
    frame["nip"], nip_problems = check_nips(frame["nip"], today)
    for pos, found in enumerate(nip_problems.tolist()):
        problems[pos].extend(found)

    name = frame["name"].str.strip()
    frame["name"] = name.where(name.notna() & name.ne(""), None)

    email = (
        frame["email"]
        .astype(object)
        .where(frame["email"].notna(), None)
        .map(lambda v: v.strip() if isinstance(v, str) else v)
    )
    bad = email.notna() & ~email.fillna("").str.fullmatch(EMAIL).astype(bool)
    for pos in bad.to_numpy().nonzero()[0]:
        problems[pos].append(Problem("email.invalid", "email", {"value": email.iloc[pos]}))
    frame["email"] = email.str.lower().where(email.notna(), None)

    frame["duplicate_of_row"] = first_row_of_duplicates(frame["nip"], frame["row_number"])
    frame["problems"] = pd.Series(problems, index=frame.index, dtype=object)
    return frame
