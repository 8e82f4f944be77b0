"""The programme evaluation report (*evaluasi penyelenggaraan*): HTML with charts, and an XLSX."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from diklat.domain.nip import mask_nip
from diklat.i18n import N_, translator
from diklat.io.write import write_table

REASONS = {
    "ap.stopped": N_("change action stopped"),
    "behaviour.below_threshold": N_("behaviour score below threshold"),
}


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{value:.2f}" if isinstance(value, Decimal | float) else html.escape(str(value))


def bars(title: str, values: Mapping[str, Any], maximum: float, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG (no JavaScript, prints and archives well)."""
    shown = {k: float(v) for k, v in values.items() if v is not None and not (isinstance(v, float) and pd.isna(v))}
    height = 24 * max(1, len(shown)) + 30
    parts = [
        f'<svg width="560" height="{height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(shown.items()):
        y = 28 + 24 * i
        width = 0 if maximum <= 0 else 330 * min(value, maximum) / maximum
        parts += [
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label)}</text>',
            f'<rect x="180" y="{y}" width="{width:.1f}" height="18" fill="#2f6f9f"/>',
            f'<text x="{185 + width:.1f}" y="{y + 14}" font-size="12">{value:.2f}{unit}</text>',
        ]
    return "\n".join([*parts, "</svg>"])


def render_html(
    title: str,
    per_cohort: pd.DataFrame,
    per_programme: pd.DataFrame,
    labels: Mapping[int, str],
    follow_up: pd.DataFrame,
    path: Path,
    language: str | None = None,
) -> Path:
    """Headline figures per cohort and wave, the programme's comparison of cohorts, and the follow-up list."""
    _ = translator(language)
    heads = {
        "rate": _("Response rate (%)"),
        "l1_score": _("L1 reaction"),
        "l2_gain": _("L2 gain"),
        "l3_overall": _("L3 behaviour"),
        "l4_impact": _("L4 impact"),
        "sustainability_rate": _("Change actions sustained (%)"),
        "follow_up": _("Follow-up"),
    }
    out = [
        f"<!doctype html><html lang='{language or 'id'}'><meta charset='utf-8'><title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:4px 8px;text-align:right}th{background:#eee}</style>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for wave, group in per_cohort.groupby("wave", sort=True):
        caption = _("Wave {wave}").format(wave=wave)
        out.append(
            f"<h2>{html.escape(caption)}</h2><table><tr><th></th>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in heads.values())
            + "</tr>"
        )
        for row in group.itertuples(index=False):
            cells = "".join(f"<td>{_fmt(getattr(row, k))}</td>" for k in heads)
            out.append(f"<tr><th>{html.escape(labels.get(row.cohort_id, str(row.cohort_id)))}</th>{cells}</tr>")
        out.append("</table>")
        out.append(
            bars(
                _("L3 behaviour by cohort (1-5)"),
                {labels.get(r.cohort_id, str(r.cohort_id)): r.l3_overall for r in group.itertuples()},
                5,
            )
        )
        out.append(
            bars(
                _("Change actions sustained (%)"),
                {labels.get(r.cohort_id, str(r.cohort_id)): r.sustainability_rate for r in group.itertuples()},
                100,
                " %",
            )
        )
        for row in group.itertuples(index=False):
            if isinstance(row.l1_by_aspect, dict) and row.l1_by_aspect:
                out.append(
                    bars(_("L1 by aspect: {cohort}").format(cohort=labels.get(row.cohort_id, "")), row.l1_by_aspect, 5)
                )
    if not per_programme.empty:
        whole = _("Whole programme")  # never inside an f-string: Babel would not extract it
        out.append(
            f"<h2>{html.escape(whole)}</h2><table><tr><th></th>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in heads.values())
            + "</tr>"
        )
        for row in per_programme.itertuples(index=False):
            cells = "".join(f"<td>{_fmt(getattr(row, k))}</td>" for k in heads)
            out.append(f"<tr><th>{html.escape(str(row.wave))}</th>{cells}</tr>")
        out.append("</table>")
    out.append("<h2>" + html.escape(_("Follow-up")) + "</h2>")
    if follow_up.empty:
        out.append("<p>" + html.escape(_("Nobody needs follow-up.")) + "</p>")
    else:
        out.append(
            "<table><tr><th>NIP</th><th>"
            + html.escape(_("Wave"))
            + "</th><th>"
            + html.escape(_("Reasons"))
            + "</th></tr>"
        )
        for row in follow_up.itertuples(index=False):
            reasons = "; ".join(_(REASONS.get(r, r)) for r in row.follow_up_reasons)
            out.append(
                f"<tr><td>{mask_nip(row.alumnus_nip)}</td><td>{html.escape(str(row.wave))}</td>"
                f"<td style='text-align:left'>{html.escape(reasons)}</td></tr>"
            )
        out.append("</table>")
    out.append(
        "<p><small>"
        + html.escape(_("Peer (rekan) answers are shown only in aggregate, for groups of at least 3 peers."))
        + "</small></p></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def write_xlsx(
    per_alumnus: pd.DataFrame,
    per_cohort: pd.DataFrame,
    names: Mapping[str, str],
    path: Path,
    columns: Sequence[str] = (),
) -> Path:
    """Per-alumnus figures (names included: the operator follows up) and per-cohort headlines."""
    frame = per_alumnus.copy()
    frame.insert(2, "name", frame["alumnus_nip"].map(names))
    for column in frame.columns:
        frame[column] = frame[column].map(_cell)
    cohorts = per_cohort.copy()
    for column in cohorts.columns:
        cohorts[column] = cohorts[column].map(_cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(frame, path)
    write_table(cohorts, path.with_name(path.stem + "-cohorts.xlsx"))
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # spreadsheet display only; every figure was computed exactly
    if isinstance(value, list | tuple | set):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value
