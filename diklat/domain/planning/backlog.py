"""Step 1b: the officials still waiting for PKP, in a deterministic priority order that each row explains."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from diklat.domain.planning.columns import NAT, decimals, hundredths_of_years
from diklat.domain.planning.screen import screen
from diklat.domain.planning.why import why_codes
from schemas.planning import PlanningRules
from schemas.template import Template

BACKLOG_COLUMNS = (
    "nip",
    "name",
    "golongan",
    "unit",
    "position",
    "position_type",
    "appointed",
    "in_post",
    "days_in_post",
    "years_in_post",
    "retirement_date",
    "days_to_retirement",
    "years_to_retirement",
    "rank_index",
    "unit_supervisors",
    "priority",
    "why",
)


def eligible_backlog(
    people: pd.DataFrame,
    trained_nips: Iterable[str],
    rules: PlanningRules,
    template: Template,
    as_of: date,
    enrolled_nips: Iterable[str] = (),
) -> pd.DataFrame:
    """The officials still waiting for PKP, in priority order (``priority`` 1..N), each with ``why``.

    ``people`` is the normalised personnel roster (canonical columns of ``schemas.files.PERSONNEL``:
    nip, name, golongan, position, position_type, unit, appointed, trained). Eligible: a valid NIP
    (first row of a repeated NIP), rank at least ``template.minimum_golongan``, a pengawas (in post)
    or a pelaksana/fungsional candidate, not trained (neither in ``trained_nips``, diklat's own
    graduates, nor marked trained on the roster), not a participant of a cohort still running
    (``enrolled_nips``: their place is already taken), and below ``rules.retirement_age`` at ``as_of``.

    Order: ``rules.priority`` keys in turn (see ``schemas.planning.PRIORITY_KEYS``), NIP last.
    ``days_in_post`` counts from TMT JABATAN for those in post (0 for candidates and for a missing
    TMT); ``years_*`` are the same spans as Decimal years (365.25 days) rounded half up to 2 places.
    ``why`` lists the deciding values in priority order, e.g.
    ``in_post; 6.2 years in post; 12.5 years to retirement; III/c`` (codes, the caller labels them).
    """
    s = screen(people, trained_nips, rules, template, as_of, enrolled_nips)
    keep = np.flatnonzero(s.reason == None)  # noqa: E711 - elementwise on an object array
    today = np.datetime64(as_of, "D").astype(np.int64)

    in_post = s.in_post[keep]
    appointed = s.appointed[keep]
    known_tmt = appointed != NAT
    days_in_post = np.where(in_post & known_tmt, np.maximum(today - appointed, 0), 0)
    days_to_retirement = s.retirement[keep] - today
    rank = s.rank[keep]

    sort_keys = {
        "in_post": ~in_post,
        "time_in_post": -days_in_post,
        "time_to_retirement": days_to_retirement,
        "rank": -rank,
    }
    order = np.lexsort((s.nip_number[keep], *(sort_keys[k] for k in reversed(rules.priority))))
    rows = keep[order]
    in_post, days_in_post, days_to_retirement = in_post[order], days_in_post[order], days_to_retirement[order]
    known_tmt, rank = known_tmt[order], rank[order]
    golongan = s.golongan[rows]
    kind = s.position_type[rows]

    source = people.iloc[rows]
    out = pd.DataFrame(
        {
            "nip": source["nip"].to_numpy(dtype=object),  # valid NIPs are exactly 18 digits already
            "name": source["name"].to_numpy(dtype=object),
            "golongan": golongan,
            "unit": source["unit"].to_numpy(dtype=object),
            "position": source["position"].to_numpy(dtype=object),
            "position_type": kind,
            "appointed": source["appointed"].to_numpy(),
            "in_post": in_post,
            "days_in_post": days_in_post,
            "years_in_post": decimals(hundredths_of_years(days_in_post, 2), 2),
            "retirement_date": s.retirement[rows].astype("datetime64[D]"),
            "days_to_retirement": days_to_retirement,
            "years_to_retirement": decimals(hundredths_of_years(days_to_retirement, 2), 2),
            "rank_index": rank,
            "unit_supervisors": s.unit_supervisors[rows],
            "priority": np.arange(1, len(rows) + 1, dtype=np.int64),
        },
        columns=BACKLOG_COLUMNS[:-1],
    )
    out["why"] = why_codes(rules.priority, in_post, kind, days_in_post, known_tmt, days_to_retirement, rank)
    return out
