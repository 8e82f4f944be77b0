"""The rekap nilai: every participant's component scores, final score, qualification, status and rank.

An official document, so names and NIPs are printed in full. The spreadsheet is safe to open: every
text cell is neutralised and stored as text, so no value typed by someone can run as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from diklat.domain.dates import format_date_id
from diklat.domain.grading import component_mean, round_half_up
from diklat.domain.nip import format_nip, normalize_nip
from diklat.i18n import N_, translator
from diklat.io.write import neutralise
from diklat.report.certificate import FONT, FONT_BOLD, format_score, register_fonts, resolve_language, write_atomic

STATUS_LABELS = {
    "lulus": N_("Passed"),
    "lulus_tertunda": N_("Passed (deferred)"),
    "tidak_lulus": N_("Not passed"),
    "tidak_dapat_menyelesaikan": N_("Did not complete"),
    "belum_lengkap": N_("Incomplete assessment"),
}
REMARKS = {
    "withdrawn": N_("Withdrew from the course"),
    "quarantined": N_("A score row waits in quarantine: graded once it is fixed"),
    "incomplete": N_("Scores missing: {components}"),
    "band": N_("Final score in a failing band ({qualification})"),
    "attendance": N_("Attendance below the minimum of {minimum} %"),
    "milestones": N_("Required milestone missed: {milestones}"),
    "deferred": N_("Passed with deferral: revision owed for {milestones}"),
    "deferral_cleared": N_("Deferral cleared: revision of {milestones} accepted"),
}
SCORE_FORMAT = "0.00"
MEAN_DECIMALS = 2  # a component mean as SCORE_FORMAT prints it (the final score is computed exactly)
HEADER_ROW = 7  # title rows 1-5, a blank row, then the column headers


@dataclass(frozen=True)
class RecapRow:
    rank: int | None
    nip: str
    name: str
    components: Mapping[str, Decimal | None]  # component code -> score
    final_score: Decimal | None
    qualification: str | None
    status: str  # a key of STATUS_LABELS
    remark: tuple[str, Mapping[str, Any]] | None = None  # diklat.domain.grading.remark: why not a plain pass


@dataclass(frozen=True)
class RecapMeta:
    agency: str
    programme: str
    cohort_label: str
    start_date: date
    end_date: date
    components: Sequence[tuple[str, str, Decimal]]  # (code, title, weight in percent)
    milestones: Mapping[str, str] = field(default_factory=dict)  # code -> title, for the remarks
    attendance_minimum: Decimal | None = None  # percent, for the remarks


def status_label(code: str, language: str | None = None) -> str:
    """The printed status (``lulus_tertunda`` -> "Lulus Tertunda"); ValueError for an unknown code."""
    if code not in STATUS_LABELS:
        raise ValueError(f"unknown result status {code!r}; expected one of {', '.join(STATUS_LABELS)}")
    return translator(language)(STATUS_LABELS[code])


def sorted_rows(rows: Iterable[RecapRow]) -> list[RecapRow]:
    """By rank, unranked participants last, then by name (case-insensitive), then NIP."""
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.name.casefold(), r.nip))


def component_scores(scores: Mapping[str, Sequence[Decimal]], components: Sequence[str]) -> dict[str, Decimal | None]:
    """One participant's component means as printed: rounded half-up once (None: the component has no score)."""
    return {c: round_half_up(component_mean(scores[c]), MEAN_DECIMALS) if scores.get(c) else None for c in components}


def _weight(weight: Decimal) -> str:
    """`50` for Decimal("50.00"), `12.5` for Decimal("12.50")."""
    return f"{weight.normalize():f}"


def _texts(meta: RecapMeta, language: str) -> tuple[list[str], list[str]]:
    """(title lines, column headers), translated."""
    _ = translator(language)
    title = _("SCORE RECAP")
    period = _("Held from {start} to {end}").format(
        start=format_date_id(meta.start_date), end=format_date_id(meta.end_date)
    )
    headers = [_("No."), _("NIP"), _("Name")]
    headers += [f"{t} ({_weight(w)}%)" for _code, t, w in meta.components]
    headers += [_("Final score"), _("Qualification"), _("Status"), _("Rank"), _("Remarks")]
    return [meta.agency, title, meta.programme, meta.cohort_label, period], headers


def remark_text(row: RecapRow, meta: RecapMeta, language: str) -> str:
    """The remarks column (*Keterangan*): why a participant did not pass, or passed with a deferral."""
    if row.remark is None:
        return ""
    _ = translator(language)
    code, params = row.remark
    titles = {c: t for c, t, _w in meta.components}
    values = {
        "milestones": ", ".join(meta.milestones.get(m, m) for m in params.get("milestones", [])),
        "components": ", ".join(titles.get(c, c) for c in params.get("components", [])),
        "qualification": params.get("qualification") or "",
        "minimum": "" if meta.attendance_minimum is None else f"{meta.attendance_minimum.normalize():f}",
    }
    return _(REMARKS[code]).format(**values) if code in REMARKS else code


def _plain_nip(nip: str) -> str:
    """The 18 digits when the NIP is one, else the value as given (never dropped from the recap)."""
    digits = normalize_nip(nip)
    return digits if digits is not None and len(digits) == 18 and digits.isdigit() else nip


def _printed_nip(nip: str) -> str:
    try:
        return format_nip(nip)
    except ValueError:
        return nip


def write_recap_xlsx(meta: RecapMeta, rows: Iterable[RecapRow], path: Path, language: str | None = None) -> Path:
    """The recap as an agency files it: title rows, one header row (frozen), scores as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    language = resolve_language(language)
    _ = translator(language)
    titles, headers = _texts(meta, language)
    ordered = sorted_rows(rows)
    last_column = len(headers)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Score recap")[:31]
    workbook.properties.title = f"{titles[1]} {meta.programme} {meta.cohort_label}"
    workbook.properties.creator = meta.agency

    def put(row: int, column: int, value: object):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text stays text: never a formula, a NIP never a number
        elif isinstance(value, Decimal):
            cell.value = float(value)
            cell.number_format = SCORE_FORMAT
        elif value is not None:
            cell.value = value
            cell.number_format = "0"
        return cell

    for number, text in enumerate(titles, start=1):
        cell = put(number, 1, text)
        cell.font = Font(bold=number <= 2, size=14 if number == 2 else 11)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=last_column)

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, text in enumerate(headers, start=1):
        cell = put(HEADER_ROW, column, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border

    codes = [code for code, _title, _weight in meta.components]
    for index, record in enumerate(ordered, start=1):
        values: list[object] = [index, _plain_nip(record.nip), record.name]
        values += [record.components.get(code) for code in codes]
        values += [record.final_score, record.qualification, status_label(record.status, language), record.rank]
        values.append(remark_text(record, meta, language))
        row = HEADER_ROW + index
        for column, value in enumerate(values, start=1):
            put(row, column, value).border = border

    widths = [6, 22, 36] + [max(12, len(h) * 0.9) for h in headers[3:-5]] + [12, 20, 26, 8, 45]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(45, width)
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=4)  # header rows and No/NIP/Name stay visible
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return write_atomic(path, buffer.getvalue())


def _numbered_canvas(footer: str):
    """A canvas class that prints "Page n of N" on every page once the page count is known."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states: list[dict] = []

        def showPage(self):
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                width, _height = self._pagesize
                self.drawRightString(width - 36, 20, footer.format(page=self._pageNumber, pages=total))
                super().showPage()
            super().save()

    return NumberedCanvas


def write_recap_pdf(meta: RecapMeta, rows: Iterable[RecapRow], path: Path, language: str | None = None) -> Path:
    """The recap as an A4 landscape table; the header row repeats on every page, pages numbered."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    register_fonts()
    language = resolve_language(language)
    _ = translator(language)
    titles, headers = _texts(meta, language)
    footer = _("Page {page} of {pages}")
    ordered = sorted_rows(rows)

    page = landscape(A4)
    margin = 1.2 * cm
    usable = page[0] - 2 * margin
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    head_style = ParagraphStyle("head", parent=cell_style, fontName=FONT_BOLD, fontSize=7.5, alignment=TA_CENTER)
    title_style = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=12, leading=16, alignment=TA_CENTER)
    sub_style = ParagraphStyle("sub", fontName=FONT, fontSize=10, leading=13, alignment=TA_CENTER)

    def para(text: str | None, style: ParagraphStyle = cell_style) -> Paragraph:
        return Paragraph(escape(text or ""), style)

    def score(value: Decimal | None) -> str:
        return "" if value is None else format_score(value, language)

    codes = [code for code, _title, _weight in meta.components]
    data: list[list[object]] = [[para(h, head_style) for h in headers]]
    for index, record in enumerate(ordered, start=1):
        data.append(
            [str(index), _printed_nip(record.nip), para(record.name)]
            + [score(record.components.get(code)) for code in codes]
            + [
                score(record.final_score),
                para(record.qualification),
                para(status_label(record.status, language)),
                "" if record.rank is None else str(record.rank),
                para(remark_text(record, meta, language)),
            ]
        )

    left, right = [1.0 * cm, 3.9 * cm], [1.8 * cm, 2.6 * cm, 2.6 * cm, 1.1 * cm, 3.6 * cm]
    name_width = 4.5 * cm
    component_width = min(2.1 * cm, (usable - sum(left) - sum(right) - name_width) / max(1, len(codes)))
    name_width = usable - sum(left) - sum(right) - component_width * len(codes)
    widths = [*left, name_width, *[component_width] * len(codes), *right]
    numeric = range(3, 3 + len(codes) + 1)
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9E1F2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("ALIGN", (0, 1), (0, -1), "RIGHT"),
                ("ALIGN", (numeric.start, 1), (numeric.stop - 1, -1), "RIGHT"),
                ("ALIGN", (-2, 1), (-2, -1), "RIGHT"),
            ]
        )
    )

    story = [para(titles[0], title_style), para(titles[1], title_style)]
    story += [para(text, sub_style) for text in titles[2:]]
    story += [Spacer(1, 0.4 * cm), table]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        invariant=1,
        title=f"{titles[1]} {meta.programme} {meta.cohort_label}",
        author=meta.agency,
        creator="diklat",
    )
    document.build(story, canvasmaker=_numbered_canvas(footer))
    return write_atomic(path, buffer.getvalue())
