"""The evaluation reports an agency publishes (course, post-training), its internal follow-up list, and an XLSX."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from diklat.domain.evaluation.conclusions import Finding, course_findings, post_findings
from diklat.i18n import N_, translator
from diklat.io.write import neutralise, write_table
from diklat.settings import get_settings
from schemas.instrument import COURSE_WAVE
from schemas.template import Evaluation

REASONS = {
    "ap.stopped": N_("change action stopped"),
    "behaviour.below_threshold": N_("behaviour score below threshold"),
}


ACTIONS = {
    "ap.stopped": N_("Visit the alumnus and their superior to restart the change action, or agree on a new one"),
    "behaviour.below_threshold": N_("Arrange follow-up coaching with the direct superior and agree on targets"),
}
WAVE_NAMES = {"course": N_("end of course")}
NO_COURSE, NO_LATER = "course.none", "post.none"
FINDINGS = {
    "course.none": N_(
        "No end-of-course answers yet: load the reaction survey and the pre/post tests (wave 'course') to fill this "
        "section."
    ),
    "post.none": N_(
        "No post-training answers yet: load the answers of the +3 and +6 month waves to fill this section."
    ),
    "l1.good": N_("Participants rated {aspect} good: {value} of {max} (a mean of {good} or more reads good)."),
    "l1.fair": N_("Participants rated {aspect} fair: {value} of {max} (between {poor} and {good})."),
    "l1.poor": N_("Participants rated {aspect} low: {value} of {max} (below {poor} needs improvement)."),
    "l2.gain": N_("Test scores rose by {value} points on average, from {pre} before the course to {post} after it."),
    "l2.no_gain": N_("Test scores did not rise: {pre} before the course and {post} after it (gain {value})."),
    "l3.good": N_("Wave {wave}: behaviour at work was rated {value} of {max}, good ({good} or more)."),
    "l3.fair": N_("Wave {wave}: behaviour at work was rated {value} of {max}, fair (between {poor} and {good})."),
    "l3.poor": N_("Wave {wave}: behaviour at work was rated {value} of {max}, low (below {poor})."),
    "l4.good": N_("Wave {wave}: the impact on the unit was rated {value} of {max}, good ({good} or more)."),
    "l4.fair": N_("Wave {wave}: the impact on the unit was rated {value} of {max}, fair (between {poor} and {good})."),
    "l4.poor": N_("Wave {wave}: the impact on the unit was rated {value} of {max}, low (below {poor})."),
    "sustained.met": N_("Wave {wave}: {value} % of change actions were sustained, meeting the target of {target} %."),
    "sustained.below": N_("Wave {wave}: {value} % of change actions were sustained, below the target of {target} %."),
    "trend.l3.up": N_("From wave {first} to wave {last} behaviour at work rose from {from} to {to}."),
    "trend.l3.down": N_("From wave {first} to wave {last} behaviour at work fell from {from} to {to}."),
    "trend.l3.same": N_("From wave {first} to wave {last} behaviour at work stayed at {to}."),
    "trend.sustained.up": N_("From wave {first} to wave {last} sustained change actions rose from {from} % to {to} %."),
    "trend.sustained.down": N_(
        "From wave {first} to wave {last} sustained change actions fell from {from} % to {to} %."
    ),
    "trend.sustained.same": N_("From wave {first} to wave {last} sustained change actions stayed at {to} %."),
    "rec.l1": N_("Improve {aspect} before the next cohort opens, and ask the next cohort about it again."),
    "rec.l2": N_("Review the learning materials and the pre/post tests with the trainers."),
    "rec.l3": N_(
        "Plan follow-up coaching with the superiors of the alumni rated low (see the internal follow-up list)."
    ),
    "rec.l4": N_("Ask the units of the alumni rated low what kept the change from taking effect."),
    "rec.sustained": N_("Support the alumni whose change actions stopped, together with their superiors."),
}


@dataclass(frozen=True)
class CohortFacts:
    """What the report says of a cohort besides the answers (from the database, counts only)."""

    label: str
    start: date
    end: date
    participants: int
    graduates: int


@dataclass(frozen=True)
class Signature:
    place: str
    title: str
    name: str
    nip: str | None


@dataclass(frozen=True)
class ReportData:
    """Everything the two published reports show: figures, facts, rules, the signature. No names, no NIPs."""

    programme: str
    per_cohort: pd.DataFrame  # COHORT_COLUMNS
    per_programme: pd.DataFrame  # PROGRAMME_COLUMNS
    facts: Mapping[int, CohortFacts]
    follow_up: pd.DataFrame  # ALUMNUS_COLUMNS of the alumni needing follow-up: counted, never listed
    rules: Evaluation
    signature: Signature
    dated: date


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def _fmt(value: Any) -> str:
    if _missing(value):
        return "–"
    return f"{value:.2f}" if isinstance(value, Decimal | float) else html.escape(str(value))


def bars(title: str, values: Mapping[str, Any], maximum: float, unit: str = "", scale_label: str = "") -> str:
    """A horizontal bar chart as inline SVG (no JavaScript; prints and archives well).

    Each label sits on its own line above its bar, so a long one ("PKP Kota Jambi 2022 / Angkatan 1")
    is never cut; the scale from 0 to ``maximum`` is drawn under the bars with its ticks.
    """
    shown = {k: float(v) for k, v in values.items() if not _missing(v)}
    width, left, span = 640, 10, 500
    height = 40 * max(1, len(shown)) + 70
    parts = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<text x="0" y="16" font-weight="bold" font-size="14">{html.escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(shown.items()):
        y = 30 + 40 * i
        length = 0 if maximum <= 0 else span * min(value, maximum) / maximum
        parts += [
            f'<text x="{left}" y="{y + 12}" font-size="12">{html.escape(label)}</text>',
            f'<rect x="{left}" y="{y + 16}" width="{length:.1f}" height="16" fill="#2f6f9f"/>',
            f'<text x="{left + length + 6:.1f}" y="{y + 29}" font-size="12">{value:.2f}{html.escape(unit)}</text>',
        ]
    axis = 30 + 40 * max(1, len(shown)) + 4
    parts.append(f'<line x1="{left}" y1="{axis}" x2="{left + span}" y2="{axis}" stroke="#333"/>')
    for step in range(5):
        tick = maximum * step / 4
        x = left + span * step / 4
        parts += [
            f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{axis + 5}" stroke="#333"/>',
            f'<text x="{x:.1f}" y="{axis + 18}" font-size="11" text-anchor="middle">{tick:g}</text>',
        ]
    if scale_label:
        parts.append(
            f'<text x="{left + span / 2:.1f}" y="{axis + 34}" font-size="11" text-anchor="middle">'
            f"{html.escape(scale_label)}</text>"
        )
    return "\n".join([*parts, "</svg>"])


def _table(heads: Sequence[str], rows: Sequence[Sequence[Any]], first: str = "") -> str:
    out = ["<table><tr>", f"<th>{html.escape(first)}</th>", *(f"<th>{html.escape(h)}</th>" for h in heads), "</tr>"]
    for label, *cells in rows:
        out.append(f"<tr><th>{html.escape(str(label))}</th>" + "".join(f"<td>{_fmt(c)}</td>" for c in cells) + "</tr>")
    return "".join([*out, "</table>"])


def _page(title: str, subtitle: str, body: list[str], data: ReportData, language: str) -> str:
    _ = translator(language)
    sign = data.signature
    nip = f"<br>NIP {html.escape(sign.nip)}" if sign.nip else ""
    place = _("{place}, {date}").format(place=sign.place, date=data.dated.strftime("%d-%m-%Y"))
    return "\n".join(
        [
            f"<!doctype html><html lang='{language}'><meta charset='utf-8'><title>{html.escape(title)}</title>",
            "<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;"
            "margin:.5em 0 1em}td,th{border:1px solid #999;padding:4px 8px;text-align:right}th{background:#eee}"
            "td:first-child,th:first-child{text-align:left}.sign{margin-top:3em;margin-left:60%}"
            "@media print{svg{page-break-inside:avoid}}</style>",
            f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>",
            *body,
            f"<div class='sign'>{html.escape(place)}<br>{html.escape(sign.title)}<br><br><br><br>"
            f"<b>{html.escape(sign.name)}</b>{nip}</div></html>",
        ]
    )


def _findings(findings: Sequence[Finding], language: str) -> str:
    _ = translator(language)
    said = [_(FINDINGS[f.code]).format(**f.params) for f in findings]
    todo = list(dict.fromkeys(_(FINDINGS[f.recommendation]).format(**f.params) for f in findings if f.recommendation))
    out = ["<h2>" + html.escape(_("Conclusions")) + "</h2><ol>", *(f"<li>{html.escape(s)}</li>" for s in said), "</ol>"]
    out.append("<h2>" + html.escape(_("Recommendations")) + "</h2>")
    if todo:
        out += ["<ol>", *(f"<li>{html.escape(s)}</li>" for s in todo), "</ol>"]
    else:
        out.append(
            "<p>" + html.escape(_("No figure fell below the thresholds stated above: no action is needed.")) + "</p>"
        )
    return "".join(out)


def wave_name(wave: str, language: str) -> str:
    _ = translator(language)
    return _(WAVE_NAMES[wave]) if wave in WAVE_NAMES else str(wave)


def render_course_report(data: ReportData, path: Path, language: str | None = None) -> Path:
    """*Laporan Evaluasi Penyelenggaraan*: the cohorts, graduation, L1 per aspect and L2 gain, conclusions."""
    language = language or get_settings().language
    _ = translator(language)
    course = data.per_cohort[data.per_cohort["wave"] == COURSE_WAVE]
    whole = data.per_programme[data.per_programme["wave"] == COURSE_WAVE]
    body = ["<h2>" + html.escape(_("1. The programme and its cohorts")) + "</h2>"]
    rows = [
        (f.label, f.start.strftime("%d-%m-%Y"), f.end.strftime("%d-%m-%Y"), f.participants, f.graduates)
        for f in data.facts.values()
    ]
    heads = [_("Start"), _("End"), _("Participants"), _("Graduates")]
    body.append(_table(heads, rows, _("Cohort")))
    body.append("<h2>" + html.escape(_("2. Reaction to the course (L1), per aspect")) + "</h2>")
    if course.empty:
        body.append("<p>" + html.escape(_(FINDINGS[NO_COURSE])) + "</p>")
    else:
        aspects = list(dict.fromkeys(a for d in course["l1_by_aspect"] if isinstance(d, dict) for a in d))
        rows = [
            (
                data.facts[r.cohort_id].label if r.cohort_id in data.facts else r.cohort_id,
                r.alumni,
                *((r.l1_by_aspect or {}).get(a) for a in aspects),
                r.l1_score,
            )
            for r in course.itertuples(index=False)
        ]
        heads = [_("Respondents"), *aspects, _("L1 overall")]
        body.append(_table(heads, rows, _("Cohort")))
        scale = _("mean answer, 1 (lowest) to {max} (highest)").format(max=data.rules.likert_max)
        for r in course.itertuples(index=False):
            label = data.facts[r.cohort_id].label if r.cohort_id in data.facts else str(r.cohort_id)
            body.append(
                bars(
                    _("L1 per aspect: {cohort}").format(cohort=label),
                    r.l1_by_aspect or {},
                    data.rules.likert_max,
                    "",
                    scale,
                )
            )
        body.append("<h2>" + html.escape(_("3. Learning (L2): pre-test and post-test")) + "</h2>")
        rows = [
            (
                data.facts[r.cohort_id].label if r.cohort_id in data.facts else r.cohort_id,
                r.l2_pre,
                r.l2_post,
                r.l2_gain,
            )
            for r in course.itertuples(index=False)
        ]
        body.append(_table([_("Pre-test"), _("Post-test"), _("Gain")], rows, _("Cohort")))
        body.append(
            bars(
                _("L2 gain per cohort (points)"),
                {
                    (data.facts[r.cohort_id].label if r.cohort_id in data.facts else str(r.cohort_id)): r.l2_gain
                    for r in course.itertuples(index=False)
                },
                100,
                "",
                _("points gained from pre-test to post-test, on a 0-100 scale"),
            )
        )
    figures = None if whole.empty else whole.iloc[0].to_dict()
    body.append(_findings(course_findings(figures, data.rules), language))
    page = _page(_("Course Evaluation Report"), data.programme, body, data, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def render_post_report(data: ReportData, path: Path, language: str | None = None) -> Path:
    """*Laporan Evaluasi Pasca Pelatihan*: L3 by respondent role, L4, sustained change actions, trends."""
    language = language or get_settings().language
    _ = translator(language)
    later = data.per_cohort[data.per_cohort["wave"] != COURSE_WAVE]
    whole = data.per_programme[data.per_programme["wave"] != COURSE_WAVE]
    label = lambda cid: data.facts[cid].label if cid in data.facts else str(cid)  # noqa: E731
    body: list[str] = []
    if later.empty:
        body.append("<p>" + html.escape(_(FINDINGS[NO_LATER])) + "</p>")
    section = 0
    for wave, group in later.groupby("wave", sort=False):
        section += 1
        body.append("<h2>" + html.escape(_("{n}. Wave {wave}").format(n=section, wave=wave)) + "</h2>")
        heads = [
            _("Response rate (%)"),
            _("L3 self"),
            _("L3 superior"),
            _("L3 peers"),
            _("L3 overall"),
            _("L4 impact"),
            _("Change actions sustained (%)"),
            _("Alumni to follow up"),
        ]
        rows = [
            (
                label(r.cohort_id),
                r.rate,
                r.l3_self,
                r.l3_atasan,
                r.l3_peer,
                r.l3_overall,
                r.l4_impact,
                r.sustainability_rate,
                r.follow_up,
            )
            for r in group.itertuples(index=False)
        ]
        body.append(_table(heads, rows, _("Cohort")))
        scale = _("mean answer, 1 (lowest) to {max} (highest)").format(max=data.rules.likert_max)
        for r in group.itertuples(index=False):
            roles = {
                _("L3 self"): r.l3_self,
                _("L3 superior"): r.l3_atasan,
                _("L3 peers"): r.l3_peer,
                _("L4 impact"): r.l4_impact,
            }
            body.append(
                bars(
                    _("L3 by respondent and L4: {cohort}, wave {wave}").format(cohort=label(r.cohort_id), wave=wave),
                    roles,
                    data.rules.likert_max,
                    "",
                    scale,
                )
            )
        body.append(
            bars(
                _("Change actions sustained, wave {wave}").format(wave=wave),
                {label(r.cohort_id): r.sustainability_rate for r in group.itertuples(index=False)},
                100,
                " %",
                _("percent of the change actions reported on"),
            )
        )
    if whole["wave"].nunique() > 1:
        section += 1
        body.append("<h2>" + html.escape(_("{n}. Trend between waves").format(n=section)) + "</h2>")
        heads = [_("L3 overall"), _("L4 impact"), _("Change actions sustained (%)"), _("Alumni to follow up")]
        rows = [
            (r.wave, r.l3_overall, r.l4_impact, r.sustainability_rate, r.follow_up)
            for r in whole.itertuples(index=False)
        ]
        body.append(_table(heads, rows, _("Wave")))
    section += 1
    body.append("<h2>" + html.escape(_("{n}. Follow-up").format(n=section)) + "</h2>")
    if data.follow_up.empty:
        body.append("<p>" + html.escape(_("Nobody needs follow-up.")) + "</p>")
    else:
        counts: dict[tuple, int] = {}
        for r in data.follow_up.itertuples(index=False):
            for reason in r.follow_up_reasons:
                key = (label(r.cohort_id), r.wave, reason)
                counts[key] = counts.get(key, 0) + 1
        rows = [(c, w, _(REASONS.get(reason, reason)), n) for (c, w, reason), n in sorted(counts.items())]
        body.append(
            "<table><tr>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in (_("Cohort"), _("Wave"), _("Reason"), _("Alumni")))
            + "</tr>"
            + "".join(
                f"<tr><td>{html.escape(str(c))}</td><td>{html.escape(str(w))}</td><td>{html.escape(r)}</td><td>{n}</td></tr>"
                for c, w, r, n in rows
            )
            + "</table>"
        )
        body.append(
            "<p>"
            + html.escape(
                _("The names, units and superiors of these alumni are in the agency's internal follow-up list.")
            )
            + "</p>"
        )
    waves = [(r["wave"], r) for r in whole.to_dict("records")]
    body.append(_findings(post_findings(waves, data.rules), language))
    body.append(
        "<p><small>"
        + html.escape(_("Peer (rekan) answers are shown only in aggregate, for groups of at least 3 peers."))
        + "</small></p>"
    )
    page = _page(_("Post-Training Evaluation Report"), data.programme, body, data, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


FOLLOW_UP_COLUMNS = (
    ("nip", N_("NIP")),
    ("name", N_("Name")),
    ("unit", N_("Unit")),
    ("superior_name", N_("Direct superior")),
    ("superior_nip", N_("Superior's NIP")),
    ("cohort", N_("Cohort")),
    ("wave", N_("Wave")),
    ("reason", N_("Reason")),
    ("action", N_("Suggested action")),
)


def write_follow_up_xlsx(people: pd.DataFrame, path: Path, language: str | None = None) -> Path:
    """The operator's own follow-up list: one row per alumnus and reason, full NIPs, marked as personal data.

    ``people``: cohort (label), wave, nip, name, unit, superior_name, superior_nip, follow_up_reasons.
    Never published: the published report keeps only counts.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _ = translator(language)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Follow-up")[:31]
    sheet.append([_("PERSONAL DATA: for the agency's internal follow-up only. Do not publish or forward.")])
    sheet["A1"].font = Font(bold=True, color="C00000")
    sheet.append([_(title) for _key, title in FOLLOW_UP_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in people.itertuples(index=False):
        for reason in r.follow_up_reasons:
            values = {
                "nip": r.nip,
                "name": r.name,
                "unit": r.unit,
                "superior_name": r.superior_name,
                "superior_nip": r.superior_nip,
                "cohort": r.cohort,
                "wave": r.wave,
                "reason": _(REASONS.get(reason, reason)),
                "action": _(ACTIONS[reason]) if reason in ACTIONS else "",
            }
            sheet.append([neutralise(values[key]) for key, _title in FOLLOW_UP_COLUMNS])
    for column, width in zip("ABCDEFGHI", (22, 30, 36, 30, 22, 30, 8, 36, 70), strict=True):
        sheet.column_dimensions[column].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
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
