"""The STTP (Surat Tanda Tamat Pelatihan): one A4 landscape PDF per graduate, and a zip of them.

Every output is deterministic: the same data gives the same bytes (reportlab ``invariant=1``, the
font embedded from reportlab's own Bitstream Vera files, fixed zip timestamps), so a re-run can be
compared with what was issued and an archive can be checked by its hash.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from diklat.domain.dates import format_date_id
from diklat.domain.nip import format_nip
from diklat.domain.tokens import verification_url
from diklat.i18n import translator

FONT = "DiklatSans"
FONT_BOLD = "DiklatSans-Bold"
FONT_ITALIC = "DiklatSans-Italic"
FONT_BOLD_ITALIC = "DiklatSans-BoldItalic"
_FONT_FILES = {FONT: "Vera.ttf", FONT_BOLD: "VeraBd.ttf", FONT_ITALIC: "VeraIt.ttf", FONT_BOLD_ITALIC: "VeraBI.ttf"}

# Zip entries carry this timestamp (the earliest a zip can hold) so archives depend on content only.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_MISSING = "-"


@dataclass(frozen=True)
class CertificateData:
    """What one certificate shows; ``name`` is printed exactly as given (academic and religious titles)."""

    number: str
    version: int
    verification_code: str
    name: str
    nip: str
    golongan: str | None
    position: str | None
    unit: str | None
    programme: str
    cohort_label: str
    start_date: date
    end_date: date
    jp: int
    qualification: str
    final_score: Decimal
    issued_on: date
    agency: str
    place: str
    signatory_name: str
    signatory_title: str
    signatory_nip: str | None
    public_url: str | None = None  # where the QR code leads: the public verification page of the code


def qr_payload(data: CertificateData) -> str:
    """What the QR code holds: the verification page's address (the bare code where no address is set)."""
    return verification_url(data.public_url, data.verification_code) if data.public_url else data.verification_code


@cache
def register_fonts() -> str:
    """Embed reportlab's bundled Vera TrueType fonts (same glyphs everywhere, text extractable)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, filename))
    for bold, italic, name in ((0, 0, FONT), (1, 0, FONT_BOLD), (0, 1, FONT_ITALIC), (1, 1, FONT_BOLD_ITALIC)):
        addMapping(FONT, bold, italic, name)
    return FONT


def resolve_language(language: str | None) -> str:
    """The language asked for, else the configured operator language."""
    if language is not None:
        return language
    from diklat.settings import get_settings

    return get_settings().language


def format_score(value: Decimal, language: str | None = None) -> str:
    """Two decimals, rounded half up; Indonesian uses a decimal comma (``90,01``)."""
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.replace(".", ",") if resolve_language(language) == "id" else text


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half a document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _fit(canvas, text: str, font: str, size: float, width: float, minimum: float = 7) -> float:
    """The largest font size up to ``size`` at which ``text`` fits in ``width`` (not below ``minimum``)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > minimum and stringWidth(text, font, size) > width:
        size -= 0.5
    canvas.setFont(font, size)
    return size


def _centred(canvas, text: str, font: str, size: float, y: float, centre: float, width: float) -> None:
    _fit(canvas, text, font, size, width)
    canvas.drawCentredString(centre, y, text)


QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's modules (error correction level M, no quiet zone), encoded once.

    segno encodes it: reportlab's encoder chooses the mask in pure Python list scans, which took half of a
    certificate's rendering time once the code held the verification URL (5.1 ms against segno's 2.8 ms).
    The modules are drawn straight onto the canvas as one path of row runs (``_draw_qr``).
    """
    import segno

    code = segno.make_qr(payload, error="m", boost_error=False)
    return [[bool(m) for m in row] for row in code.matrix]


def _draw_qr(canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:  # noqa: ANN001
    box = size / (len(matrix) + 2 * QR_BORDER)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + QR_BORDER + 1) * box
        c = 0
        for dark, run in itertools.groupby(row):
            count = len(list(run))
            if dark:
                path.rect(x + (c + QR_BORDER) * box, top, count * box, box)
            c += count
    canvas.drawPath(path, stroke=0, fill=1)


def _render(data: CertificateData, language: str) -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    register_fonts()
    _ = translator(language)
    title = _("TRAINING COMPLETION CERTIFICATE")
    number_line = _("Number: {number}").format(number=data.number)
    awarded = _("is awarded to")
    nip_label = _("NIP")
    details = (
        (nip_label, format_nip(data.nip)),
        (_("Rank/grade"), data.golongan or _MISSING),
        (_("Position"), data.position or _MISSING),
        (_("Work unit"), data.unit or _MISSING),
    )
    completed = _(
        "has completed the {programme}, {cohort}, held from {start} to {end} for {jp} lesson hours (JP), "
        "with the qualification {qualification} and a final score of {score}."
    )
    code_label = _("Verification code")
    reissue = _("Re-issue v{version}").format(version=data.version) if data.version > 1 else None

    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, pageCompression=1)
    canvas.setTitle(f"{title} {data.number}")
    canvas.setAuthor(data.agency)
    canvas.setSubject(data.name)
    canvas.setCreator("diklat")

    accent = HexColor("#1f3b6f")
    canvas.setStrokeColor(accent)
    canvas.setLineWidth(3)
    canvas.rect(18, 18, width - 36, height - 36)
    canvas.setLineWidth(0.8)
    canvas.rect(26, 26, width - 52, height - 52)

    centre, text_width = width / 2, width - 140
    canvas.setFillColor(accent)
    _centred(canvas, data.agency, FONT_BOLD, 16, height - 70, centre, text_width)
    _centred(canvas, title, FONT_BOLD, 26, height - 112, centre, text_width)
    canvas.setFillColor(HexColor("#000000"))
    _centred(canvas, number_line, FONT, 12, height - 134, centre, text_width)
    if reissue:
        canvas.setFont(FONT_BOLD, 10)
        canvas.setFillColor(HexColor("#a31515"))
        canvas.drawRightString(width - 45, height - 45, reissue)
        canvas.setFillColor(HexColor("#000000"))

    _centred(canvas, awarded, FONT_ITALIC, 12, height - 168, centre, text_width)
    _centred(canvas, data.name, FONT_BOLD, 22, height - 200, centre, text_width)

    label_x, value_x, y = 230, 350, height - 232
    for label, value in details:
        canvas.setFont(FONT, 11)
        canvas.drawString(label_x, y, label)
        canvas.drawString(value_x - 12, y, ":")
        _fit(canvas, value, FONT, 11, width - value_x - 80)
        canvas.drawString(value_x, y, value)
        y -= 17

    def bold(value: str) -> str:
        return f"<b>{escape(value)}</b>"

    sentence = escape(completed).format(
        programme=bold(data.programme),
        cohort=escape(data.cohort_label),
        start=escape(format_date_id(data.start_date)),
        end=escape(format_date_id(data.end_date)),
        jp=data.jp,
        qualification=bold(data.qualification),
        score=bold(format_score(data.final_score, language)),
    )
    style = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=16, alignment=TA_CENTER)
    paragraph = Paragraph(sentence, style)
    _w, used = paragraph.wrap(width - 180, 80)
    paragraph.drawOn(canvas, 90, y - 6 - used)

    # Signature block, bottom right: place and date, title, room to sign, name, NIP.
    sign_centre, sign_width, top = width - 200, 300, 170
    place_date = f"{data.place}, {format_date_id(data.issued_on)}"
    _centred(canvas, place_date, FONT, 11, top, sign_centre, sign_width)
    _centred(canvas, data.signatory_title, FONT, 11, top - 16, sign_centre, sign_width)
    _centred(canvas, data.signatory_name, FONT_BOLD, 11, top - 92, sign_centre, sign_width)
    if data.signatory_nip:
        signatory_nip = format_nip(data.signatory_nip)
        _centred(canvas, f"{nip_label}. {signatory_nip}", FONT, 10, top - 106, sign_centre, sign_width)

    # Verification, bottom left: a QR code to the public verification page and the code beside it.
    size = 92
    _draw_qr(canvas, qr_matrix(qr_payload(data)), 48, 44, size)
    canvas.setFont(FONT, 9)
    canvas.drawString(48 + size + 8, 44 + size - 30, code_label)
    _fit(canvas, data.verification_code, FONT_BOLD, 11, 220)
    canvas.drawString(48 + size + 8, 44 + size - 46, data.verification_code)
    if data.public_url:  # where to type the code without a camera
        canvas.setFont(FONT, 8)
        page = f"{data.public_url.rstrip('/')}/verifikasi"
        _fit(canvas, page, FONT, 8, 220)
        canvas.drawString(48 + size + 8, 44 + size - 60, page)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_certificate(data: CertificateData, path: Path, language: str | None = None) -> Path:
    """Render one certificate to ``path`` (A4 landscape PDF); identical input gives identical bytes."""
    return write_atomic(path, _render(data, resolve_language(language)))


# A batch smaller than this renders in the calling process: starting worker processes (each imports
# reportlab) costs more than it saves below a few hundred certificates.
POOL_MIN_BATCH = 400


def _render_item(item: tuple[CertificateData, Path], language: str) -> Path:
    data, path = item
    return render_certificate(data, path, language)


def render_certificates(
    items: Sequence[tuple[CertificateData, Path]],
    language: str | None = None,
    processes: int = 1,
    on_written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Render each certificate once to its path; a large batch is spread over ``processes`` processes.

    ``on_written`` is called in this process after each PDF is on disk, in the batch's order.
    Worker processes are started fresh (``spawn``): the caller is a flow run with Prefect's threads, and
    a forked child could inherit a lock one of them held.
    """
    language = resolve_language(language)
    with contextlib.ExitStack() as stack:
        if processes > 1 and len(items) >= POOL_MIN_BATCH:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")))
            chunk = max(1, min(50, len(items) // (processes * 4)))
            done = pool.map(_render_item, items, itertools.repeat(language), chunksize=chunk)
        else:
            done = (_render_item(item, language) for item in items)
        written = []
        for path in done:
            written.append(path)
            if on_written:
                on_written(path)
    return written


def zip_certificates(paths: Sequence[Path], archive: Path) -> Path:
    """Zip rendered certificates, entries by file name in order, fixed timestamps (same files, same bytes)."""
    by_name: dict[str, Path] = {}
    for path in paths:
        if path.name in by_name:
            raise ValueError(f"two certificates would be stored as {path.name!r} in {archive.name}")
        by_name[path.name] = path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(by_name):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever the archive is made
            info.external_attr = 0o644 << 16
            zf.writestr(info, by_name[name].read_bytes(), compresslevel=9)
    return write_atomic(archive, buffer.getvalue())
