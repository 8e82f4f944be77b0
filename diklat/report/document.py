"""A published report as plain blocks, rendered the same way to HTML (the screen) and PDF (print, archive).

A report builder says *what* a report holds (headings, text, tables, bar charts, numbered lists, a
signature); this module says how each block looks in HTML and in PDF, so the two can never say
different things. Text arrives translated: nothing here is worded.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

Block = Any  # one of the dataclasses below


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Table:
    first: str  # the header of the row-label column
    heads: Sequence[str]
    rows: Sequence[Sequence[Any]]  # each row: its label, then one value per head


@dataclass(frozen=True)
class Chart:
    """Horizontal bars from 0 to ``maximum``: a label above each bar, the value beside it, a scale below."""

    title: str
    values: Mapping[str, Any]
    maximum: float
    unit: str = ""
    scale: str = ""


@dataclass(frozen=True)
class Items:
    title: str
    items: Sequence[str]


@dataclass(frozen=True)
class SignatureBlock:
    place_date: str
    title: str
    name: str
    nip: str | None


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    author: str = ""
    footer: str = ""  # printed at the foot of every PDF page, "{page}" replaced by the page number


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def cell(value: Any) -> str:
    """A table value as printed: two decimals for figures, a dash where there is none."""
    if _missing(value):
        return "–"
    return f"{value:.2f}" if isinstance(value, Decimal | float) else str(value)


def _bars(chart: Chart) -> list[tuple[str, float]]:
    return [(k, float(v)) for k, v in chart.values.items() if not _missing(v)]


# -- HTML --------------------------------------------------------------------------------------------


def svg(chart: Chart) -> str:
    """The chart's bars and scale as inline SVG (no JavaScript; prints and archives well).

    The title is not drawn in the SVG: the page sets it above as a caption, where a long title wraps
    instead of running off the chart.
    """
    bars = _bars(chart)
    left, span = 10, 500
    height = 40 * max(1, len(bars)) + 50
    out = [
        f'<svg width="640" height="{height}" role="img" aria-label="{html.escape(chart.title)}"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
    ]
    for i, (label, value) in enumerate(bars):
        y = 10 + 40 * i
        length = 0 if chart.maximum <= 0 else span * min(value, chart.maximum) / chart.maximum
        out += [
            f'<text x="{left}" y="{y + 12}" font-size="12">{html.escape(label)}</text>',
            f'<rect x="{left}" y="{y + 16}" width="{length:.1f}" height="16" fill="#2f6f9f"/>',
            f'<text x="{left + length + 6:.1f}" y="{y + 29}" font-size="12">'
            f"{value:.2f}{html.escape(chart.unit)}</text>",
        ]
    axis = 10 + 40 * max(1, len(bars)) + 4
    out.append(f'<line x1="{left}" y1="{axis}" x2="{left + span}" y2="{axis}" stroke="#333"/>')
    for step in range(5):
        x = left + span * step / 4
        out += [
            f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{axis + 5}" stroke="#333"/>',
            f'<text x="{x:.1f}" y="{axis + 18}" font-size="11" text-anchor="middle">'
            f"{chart.maximum * step / 4:g}</text>",
        ]
    if chart.scale:
        out.append(
            f'<text x="{left + span / 2:.1f}" y="{axis + 34}" font-size="11" text-anchor="middle">'
            f"{html.escape(chart.scale)}</text>"
        )
    return "\n".join([*out, "</svg>"])


def to_html(document: Document, language: str) -> str:
    e = html.escape
    out = [
        f"<!doctype html><html lang='{e(language)}'><meta charset='utf-8'><title>{e(document.title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;"
        "margin:.5em 0 1em}td,th{border:1px solid #999;padding:4px 8px;text-align:right}th{background:#eee}"
        "td:first-child,th:first-child{text-align:left}.sign{margin-top:3em;margin-left:60%}"
        "figure{margin:1em 0}figcaption{max-width:640px;margin-bottom:.3em}"
        "@media print{figure,table{page-break-inside:avoid}}</style>",
        f"<h1>{e(document.title)}</h1><p>{e(document.subtitle)}</p>",
    ]
    for block in document.blocks:
        if isinstance(block, Heading):
            out.append(f"<h2>{e(block.text)}</h2>")
        elif isinstance(block, Text):
            out.append(f"<p><small>{e(block.text)}</small></p>" if block.small else f"<p>{e(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{e(h)}</th>" for h in (block.first, *block.heads))
            body = "".join(
                f"<tr><th>{e(cell(label))}</th>" + "".join(f"<td>{e(cell(v))}</td>" for v in values) + "</tr>"
                for label, *values in block.rows
            )
            out.append(f"<table><tr>{head}</tr>{body}</table>")
        elif isinstance(block, Chart):
            out.append(f"<figure><figcaption><b>{e(block.title)}</b></figcaption>{svg(block)}</figure>")
        elif isinstance(block, Items):
            out.append(f"<h2>{e(block.title)}</h2><ol>" + "".join(f"<li>{e(i)}</li>" for i in block.items) + "</ol>")
        elif isinstance(block, SignatureBlock):
            nip = f"<br>NIP {e(block.nip)}" if block.nip else ""
            out.append(
                f"<div class='sign'>{e(block.place_date)}<br>{e(block.title)}<br><br><br><br>"
                f"<b>{e(block.name)}</b>{nip}</div>"
            )
        else:
            raise TypeError(f"unknown block {type(block).__name__}")
    return "\n".join([*out, "</html>"])


def write_html(document: Document, path: Path, language: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_html(document, language), encoding="utf-8")
    return path


# -- PDF ---------------------------------------------------------------------------------------------


def _drawing(chart: Chart, width: float):  # noqa: ANN202 - a reportlab Drawing
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    from diklat.report.certificate import FONT

    bars = _bars(chart)
    span = width - 90
    height = 28 * max(1, len(bars)) + 36
    d = Drawing(width, height)
    top = height  # the title is a paragraph above the drawing (it wraps there)
    for i, (label, value) in enumerate(bars):
        y = top - 26 - 28 * i
        length = 0 if chart.maximum <= 0 else span * min(value, chart.maximum) / chart.maximum
        d.add(String(0, y + 12, label, fontName=FONT, fontSize=8))
        d.add(Rect(0, y, length, 10, fillColor=colors.HexColor("#2f6f9f"), strokeColor=None))
        d.add(String(length + 4, y + 1.5, f"{value:.2f}{chart.unit}", fontName=FONT, fontSize=8))
    axis = top - 26 - 28 * max(1, len(bars)) + 20
    d.add(Line(0, axis, span, axis, strokeColor=colors.black, strokeWidth=0.5))
    for step in range(5):
        x = span * step / 4
        d.add(Line(x, axis, x, axis - 3, strokeColor=colors.black, strokeWidth=0.5))
        d.add(String(x, axis - 12, f"{chart.maximum * step / 4:g}", fontName=FONT, fontSize=7, textAnchor="middle"))
    if chart.scale:
        d.add(String(span / 2, axis - 24, chart.scale, fontName=FONT, fontSize=7, textAnchor="middle"))
    return d


HEAD_SIZE, CELL_SIZE = 7.5, 8  # points: a PDF table's header and cells (the column widths measure in them)


def _number(value: Any) -> bool:
    return _missing(value) or isinstance(value, int | float | Decimal)


def _column_widths(table: Table, available: float) -> list[float]:
    """Widths that fit the page, as a browser lays out a table: each column at least its longest word
    (a header never breaks inside a word), the room left shared in proportion to what each would need
    on one line."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from diklat.report.certificate import FONT, FONT_BOLD

    pad = 14.0  # reportlab's cell padding (6 each side) and a little air

    def longest_word(text: str, font: str, size: float) -> float:
        return max((stringWidth(w, font, size) for w in text.split()), default=0.0)

    columns = [[table.first, *(row[0] for row in table.rows)]]
    columns += [[head, *(row[j + 1] for row in table.rows)] for j, head in enumerate(table.heads)]
    least, wanted = [], []
    for head, *values in columns:
        texts = [cell(v) for v in values]
        words = [longest_word(head, FONT_BOLD, HEAD_SIZE), *(longest_word(t, FONT, CELL_SIZE) for t in texts)]
        least.append(pad + max(words))
        one_line = [stringWidth(t, FONT, CELL_SIZE) for t in texts]
        wanted.append(pad + max([min(stringWidth(head, FONT_BOLD, HEAD_SIZE), 70.0), *one_line]))
    if sum(wanted) <= available:
        spare = (available - sum(wanted)) / len(wanted)
        return [w + spare for w in wanted]
    # The row labels (cohorts, waves) read best on one line: they get what they want, up to 40 % and as
    # far as the other columns still get their longest words; the other columns share the rest.
    first = max(least[0], min(wanted[0], 0.4 * available, available - sum(least[1:])))
    spare = available - first - sum(least[1:])
    stretch = sum(w - m for w, m in zip(wanted[1:], least[1:], strict=True))
    if spare < 0:
        return least  # wider than the page even at one word per line: reportlab splits the longest words
    if stretch <= 0:
        return [first + spare, *least[1:]]
    return [first, *(m + spare * (w - m) / stretch for w, m in zip(wanted[1:], least[1:], strict=True))]


def to_pdf(document: Document) -> bytes:
    """A4 portrait, fonts embedded, the same blocks in the same order as the HTML."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, ListFlowable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    from diklat.report.certificate import FONT, FONT_BOLD, register_fonts

    register_fonts()
    margin = 2 * cm
    usable = A4[0] - 2 * margin
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    bold = ParagraphStyle("bold", parent=body, fontName=FONT_BOLD)
    h1 = ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=5, keepWithNext=1)
    head = ParagraphStyle("head", fontName=FONT_BOLD, fontSize=HEAD_SIZE, leading=9)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=CELL_SIZE, leading=10)
    caption = ParagraphStyle("caption", parent=body, fontName=FONT_BOLD, spaceAfter=4)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [p(document.title, h1), p(document.subtitle), Spacer(1, 0.3 * cm)]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(p(block.text, h2))
        elif isinstance(block, Text):
            story.append(p(block.text, small if block.small else body))
        elif isinstance(block, Table):
            data = [[p(h, head) for h in (block.first, *block.heads)]]
            data += [
                [p(cell(label), cell_style), *(cell(v) if _number(v) else p(cell(v), cell_style) for v in values)]
                for label, *values in block.rows
            ]
            table = PdfTable(data, colWidths=_column_widths(block, usable - 12), repeatRows=1)  # frame pads 6+6
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), FONT),
                        ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ]
                )
            )
            story += [table, Spacer(1, 0.3 * cm)]
        elif isinstance(block, Chart):
            story.append(KeepTogether([p(block.title, caption), _drawing(block, usable), Spacer(1, 0.3 * cm)]))
        elif isinstance(block, Items):
            listed = ListFlowable([p(i) for i in block.items], bulletType="1", bulletFontName=FONT)
            story.append(KeepTogether([p(block.title, h2), listed]))  # a heading never ends a page
        elif isinstance(block, SignatureBlock):
            lines = [[p(block.place_date)], [p(block.title)], [Spacer(1, 2 * cm)], [p(block.name, bold)]]
            lines += [[p(f"NIP {block.nip}")]] if block.nip else []
            signed = PdfTable(lines, colWidths=[usable * 0.45], hAlign="RIGHT")
            # Never a page holding only the signature: it stays with the text it signs.
            closing = [story.pop()] if story else []
            story.append(KeepTogether([*closing, Spacer(1, 1 * cm), signed]))
        else:
            raise TypeError(f"unknown block {type(block).__name__}")

    def foot(canvas: Any, doc: Any) -> None:
        if document.footer:
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            text = document.footer.replace("{page}", str(doc.page))  # not format(): a title may hold braces
            canvas.drawRightString(A4[0] - margin, margin / 2, text)
            canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        invariant=1,
        title=document.title,
        author=document.author,
        creator="diklat",
    ).build(story, onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()


def write_pdf(document: Document, path: Path) -> Path:
    from diklat.report.certificate import write_atomic

    return write_atomic(path, to_pdf(document))
