"""What a flow run is called in the Prefect UI: the flow and what it is about, never a random name.

"open-cohort · PKP Kota Jambi 2022 · angkatan 1" tells an operator on the Runs page which programme
and cohort a run was about; "singing-cockatoo" told nothing. Personal data never goes in a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEPARATOR = " · "
# Parameters that say what a run is about, in the order they are named; never a person.
_ABOUT = ("kind", "decision", "wave", "day")


def run_name(flow: str, params: Mapping[str, Any]) -> str:
    """``flow · programme · angkatan n · kind · per date`` with whatever of these the parameters give."""
    parts = [flow]
    if params.get("program"):
        parts.append(str(params["program"]))
    if params.get("cohort"):
        parts.append(f"angkatan {params['cohort']}")
    parts += [str(params[key]) for key in _ABOUT if params.get(key)]
    for key in ("as_of", "year"):
        if params.get(key):
            parts.append(f"per {params[key]}" if key == "as_of" else f"tahun {params[key]}")
    return SEPARATOR.join(parts)
