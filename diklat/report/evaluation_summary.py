"""What the operator reads after an evaluation run: headline figures, waves due and alumni to follow up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from diklat.domain.evaluation import WaveStatus
from diklat.domain.nip import mask_nip
from diklat.i18n import translator

HEADLINE_KEYS = ("rate", "l1_score", "l2_gain", "l3_overall", "l4_impact", "sustainability_rate", "follow_up")


def headline_rows(per_cohort: pd.DataFrame, labels: Mapping[int, str]) -> list[dict]:
    """One row per cohort and wave, figures as text (exact Decimals print as written), None when missing."""
    return [
        {
            "cohort": labels.get(r["cohort_id"], ""),
            "wave": r["wave"],
            **{k: None if r[k] is None else str(r[k]) for k in HEADLINE_KEYS},
        }
        for r in per_cohort.to_dict("records")
    ]


def evaluation_markdown(
    title: str, as_of: str, waves: Sequence[WaveStatus], follow_up: pd.DataFrame, language: str | None = None
) -> str:
    """The waves due with who has not answered, then the alumni to follow up (NIPs masked) and why."""
    _ = translator(language)
    rows = [
        (mask_nip(r.alumnus_nip), r.wave, ", ".join(r.follow_up_reasons)) for r in follow_up.itertuples(index=False)
    ]
    return "\n".join(
        [
            f"### {title}: {as_of}",
            "",
            *(f"- {w.cohort} {w.wave} ({w.due}): {w.missing} / {w.expected} " + _("not answered yet") for w in waves),
            "",
            _("Alumni to follow up: {n}").format(n=len(rows)),
            *[f"- {nip} ({wave}): {reasons}" for nip, wave, reasons in rows],
        ]
    )
