"""The evaluation reports an agency publishes (course, post-training), its internal follow-up list, and an XLSX."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from diklat.domain.evaluation.conclusions import Finding, course_findings, post_findings
from diklat.domain.evaluation.figures import rate
from diklat.i18n import N_, translator
from diklat.io.write import neutralise, write_table
from diklat.report.document import (
    Block,
    Chart,
    Document,
    Heading,
    Items,
    SignatureBlock,
    Table,
    Text,
    write_html,
    write_pdf,
)
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
# The L1 aspects of the default instrument; an instrument's other aspects print under their code.
ASPECTS = {
    "pendidikan": N_("curriculum, materials and methods"),
    "widyaiswara": N_("trainers and coaches"),
    "fasilitas": N_("facilities"),
    "pelayanan": N_("service by the organisers"),
}
END_OF_COURSE = N_("end of course")
MONTHS_AFTER = N_("{months} months after the course")
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
    # "% o" would read as a printf conversion to the catalog tools: keep "%" before punctuation.
    "sustained.met": N_("Wave {wave}: change actions sustained {value} %, meeting the target of {target} %."),
    "sustained.below": N_("Wave {wave}: change actions sustained {value} %, below the target of {target} %."),
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


def wave_label(wave: str, rules: Evaluation, language: str | None = None) -> str:
    """A wave as readers name it ("3 bulan setelah pelatihan"), not its code ("3m")."""
    _ = translator(language)
    if wave == COURSE_WAVE:
        return _(END_OF_COURSE)
    months = {w.code: w.months_after_close for w in rules.waves}
    return _(MONTHS_AFTER).format(months=months[wave]) if wave in months else wave


def aspect_label(aspect: str, language: str | None = None) -> str:
    _ = translator(language)
    return _(ASPECTS[aspect]) if aspect in ASPECTS else aspect


def _worded(finding: Finding, data: ReportData, language: str) -> dict[str, Any]:
    """A finding's parameters as the reader sees them: waves and aspects by name."""
    params = dict(finding.params)
    for key in ("wave", "first", "last"):
        if key in params:
            params[key] = wave_label(params[key], data.rules, language)
    if "aspect" in params:
        params["aspect"] = aspect_label(params["aspect"], language)
    return params


def _conclusions(findings: Sequence[Finding], data: ReportData, language: str) -> list[Block]:
    _ = translator(language)
    worded = [(f, _worded(f, data, language)) for f in findings]
    said = [_(FINDINGS[f.code]).format(**params) for f, params in worded]
    todo = list(dict.fromkeys(_(FINDINGS[f.recommendation]).format(**p) for f, p in worded if f.recommendation))
    out: list[Block] = [Items(_("Conclusions"), said)]
    if todo:
        out.append(Items(_("Recommendations"), todo))
    else:
        out += [
            Heading(_("Recommendations")),
            Text(_("No figure fell below the thresholds stated above: no action is needed.")),
        ]
    return out


def _signature(data: ReportData, language: str) -> SignatureBlock:
    _ = translator(language)
    sign = data.signature
    place = _("{place}, {date}").format(place=sign.place, date=data.dated.strftime("%d-%m-%Y"))
    return SignatureBlock(place, sign.title, sign.name, sign.nip)


def _label(data: ReportData, cohort_id: Any) -> str:
    return data.facts[cohort_id].label if cohort_id in data.facts else str(cohort_id)


def _course_rate(data: ReportData, cohort_id: Any, respondents: int) -> Decimal | None:
    """End-of-course answers asked of every participant: respondents over the cohort's participants."""
    facts = data.facts.get(cohort_id)
    return rate(int(respondents), facts.participants)["rate"] if facts else None


def _document(title: str, data: ReportData, blocks: list[Block], language: str) -> Document:
    _ = translator(language)
    footer = _("{title}, {programme}: page {page}").format(title=title, programme=data.programme, page="{page}")
    return Document(title, data.programme, blocks, data.signature.title, footer)


def course_document(data: ReportData, language: str) -> Document:
    """*Laporan Evaluasi Penyelenggaraan*: the cohorts, graduation, L1 per aspect and L2 gain, conclusions."""
    _ = translator(language)
    course = data.per_cohort[data.per_cohort["wave"] == COURSE_WAVE]
    whole = data.per_programme[data.per_programme["wave"] == COURSE_WAVE]
    blocks: list[Block] = [Heading(_("1. The programme and its cohorts"))]
    rows = [
        (f.label, f.start.strftime("%d-%m-%Y"), f.end.strftime("%d-%m-%Y"), f.participants, f.graduates)
        for f in data.facts.values()
    ]
    blocks.append(Table(_("Cohort"), [_("Start"), _("End"), _("Participants"), _("Graduates")], rows))
    blocks.append(Heading(_("2. Reaction to the course (L1), per aspect")))
    if course.empty:
        blocks.append(Text(_(FINDINGS[NO_COURSE])))
    else:
        aspects = list(dict.fromkeys(a for d in course["l1_by_aspect"] if isinstance(d, dict) for a in d))
        rows = [
            (
                _label(data, r.cohort_id),
                r.alumni,
                _course_rate(data, r.cohort_id, r.alumni),
                *((r.l1_by_aspect or {}).get(a) for a in aspects),
                r.l1_score,
            )
            for r in course.itertuples(index=False)
        ]
        names = [aspect_label(a, language) for a in aspects]
        heads = [_("Respondents"), _("Response rate (%)"), *names, _("L1 overall")]
        blocks.append(Table(_("Cohort"), heads, rows))
        scale = _("mean answer, 1 (lowest) to {max} (highest)").format(max=data.rules.likert_max)
        for r in course.itertuples(index=False):
            title = _("L1 per aspect: {cohort}").format(cohort=_label(data, r.cohort_id))
            values = {aspect_label(a, language): v for a, v in (r.l1_by_aspect or {}).items()}
            blocks.append(Chart(title, values, data.rules.likert_max, "", scale))
        blocks.append(Heading(_("3. Learning (L2): pre-test and post-test")))
        rows = [(_label(data, r.cohort_id), r.l2_pre, r.l2_post, r.l2_gain) for r in course.itertuples(index=False)]
        blocks.append(Table(_("Cohort"), [_("Pre-test"), _("Post-test"), _("Gain")], rows))
        gains = {_label(data, r.cohort_id): r.l2_gain for r in course.itertuples(index=False)}
        scale = _("points gained from pre-test to post-test, on a 0-100 scale")
        blocks.append(Chart(_("L2 gain per cohort (points)"), gains, 100, "", scale))
    figures = None if whole.empty else whole.iloc[0].to_dict()
    blocks += _conclusions(course_findings(figures, data.rules), data, language)
    blocks.append(_signature(data, language))
    return _document(_("Course Evaluation Report"), data, blocks, language)


def post_document(data: ReportData, language: str) -> Document:
    """*Laporan Evaluasi Pasca Pelatihan*: L3 by respondent role, L4, sustained change actions, trends, follow-up."""
    _ = translator(language)
    later = data.per_cohort[data.per_cohort["wave"] != COURSE_WAVE]
    whole = data.per_programme[data.per_programme["wave"] != COURSE_WAVE]
    blocks: list[Block] = []
    if later.empty:
        blocks.append(Text(_(FINDINGS[NO_LATER])))
    section = 0
    scale = _("mean answer, 1 (lowest) to {max} (highest)").format(max=data.rules.likert_max)
    for wave, group in later.groupby("wave", sort=False):
        section += 1
        named = wave_label(wave, data.rules, language)
        blocks.append(Heading(_("{n}. Wave {wave}").format(n=section, wave=named)))
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
                _label(data, r.cohort_id),
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
        blocks.append(Table(_("Cohort"), heads, rows))
        for r in group.itertuples(index=False):
            roles = {
                _("L3 self"): r.l3_self,
                _("L3 superior"): r.l3_atasan,
                _("L3 peers"): r.l3_peer,
                _("L4 impact"): r.l4_impact,
            }
            title = _("L3 by respondent and L4: {cohort}, wave {wave}").format(
                cohort=_label(data, r.cohort_id), wave=named
            )
            blocks.append(Chart(title, roles, data.rules.likert_max, "", scale))
        sustained = {_label(data, r.cohort_id): r.sustainability_rate for r in group.itertuples(index=False)}
        title = _("Change actions sustained, wave {wave}").format(wave=named)
        blocks.append(Chart(title, sustained, 100, " %", _("percent of the change actions reported on")))
    if whole["wave"].nunique() > 1:
        section += 1
        blocks.append(Heading(_("{n}. Trend between waves").format(n=section)))
        heads = [_("L3 overall"), _("L4 impact"), _("Change actions sustained (%)"), _("Alumni to follow up")]
        rows = [
            (wave_label(r.wave, data.rules, language), r.l3_overall, r.l4_impact, r.sustainability_rate, r.follow_up)
            for r in whole.itertuples(index=False)
        ]
        blocks.append(Table(_("Wave"), heads, rows))
    section += 1
    blocks.append(Heading(_("{n}. Follow-up").format(n=section)))
    if data.follow_up.empty:
        blocks.append(Text(_("Nobody needs follow-up.")))
    else:
        counts: dict[tuple, int] = {}
        for r in data.follow_up.itertuples(index=False):
            for reason in r.follow_up_reasons:
                key = (_label(data, r.cohort_id), r.wave, reason)
                counts[key] = counts.get(key, 0) + 1
        rows = [
            (c, wave_label(w, data.rules, language), _(REASONS.get(reason, reason)), n)
            for (c, w, reason), n in sorted(counts.items())
        ]
        blocks.append(Table(_("Cohort"), [_("Wave"), _("Reason"), _("Alumni")], rows))
        blocks.append(
            Text(_("The names, units and superiors of these alumni are in the agency's internal follow-up list."))
        )
    blocks.append(
        Text(_("Peer (rekan) answers are shown only in aggregate, for groups of at least 3 peers."), small=True)
    )
    waves = [(r["wave"], r) for r in whole.to_dict("records")]
    blocks += _conclusions(post_findings(waves, data.rules), data, language)
    blocks.append(_signature(data, language))
    return _document(_("Post-Training Evaluation Report"), data, blocks, language)


def render_course_report(data: ReportData, path: Path, language: str | None = None) -> Path:
    """The course report as HTML at ``path`` and as PDF beside it."""
    language = language or get_settings().language
    document = course_document(data, language)
    write_pdf(document, path.with_suffix(".pdf"))
    return write_html(document, path, language)


def render_post_report(data: ReportData, path: Path, language: str | None = None) -> Path:
    """The post-training report as HTML at ``path`` and as PDF beside it."""
    language = language or get_settings().language
    document = post_document(data, language)
    write_pdf(document, path.with_suffix(".pdf"))
    return write_html(document, path, language)


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
