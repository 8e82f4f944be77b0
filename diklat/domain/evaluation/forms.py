"""Survey form exports (Google Forms, Microsoft Forms) read as answers: one column per question.

Agencies collect answers with the forms they already use: one row per respondent, a timestamp, the
question text as each column's header, answers in words ("Sangat Setuju") or numbers. Each answer
becomes a row of the long answers format (``schemas.files.RESPONSES``) numbered by its form row, so
the answers gate and every message read the same as for a long file.

Which item a column asks is read from its header: the item's text, a text the instrument version
maps in ``questions``, or the item code itself; a grid question ("Penilaian [Materi relevan …]") by
the row text in brackets. A column that is none of these and no known identity or timestamp column
stops the file: an answer is never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from diklat.domain.problems import Problem
from schemas.instrument import Instrument

# Header texts compared after ``header_text`` (lower case, single spaces, no numbering or end punctuation).
ALUMNUS = frozenset(
    {"nip alumni", "nip", "nip peserta", "nip alumni yang dinilai", "nip peserta yang dinilai", "nip alumni pkp"}
)
RESPONDENT = frozenset(
    {
        "nip responden",
        "nip anda",
        "nip penilai",
        "nip atasan",
        "email address",
        "alamat email",
        "email",
        "e-mail",
        "kode rekan",
        "kode responden",
    }
)
WAVE = frozenset({"gelombang", "wave"})
# Columns a form adds that carry no answer: kept out, never an error.
BOOKKEEPING = frozenset(
    {
        "timestamp",
        "stempel waktu",
        "cap waktu",
        "start time",
        "completion time",
        "waktu mulai",
        "waktu selesai",
        "waktu penyelesaian",
        "last modified time",
        "waktu terakhir diubah",
        "id",
        "name",
        "nama",
        "nama responden",
        "nama alumni",
        "nama peserta",
        "total points",
        "total poin",
        "score",
        "skor",
        "nilai kuis",
    }
)


@dataclass(frozen=True)
class FormLayout:
    """What each column of a form export is."""

    alumnus: int
    respondent: int | None
    wave: int | None
    questions: dict[int, str]  # column -> item code
    respondent_is_nip: bool = False  # the respondent column holds NIPs (not e-mail addresses or codes)


def header_text(text: object) -> str:
    """``"3. Materi relevan dengan tugas saya. *"`` -> ``"materi relevan dengan tugas saya"``."""
    value = re.sub(r"\s+", " ", str(text or "")).strip().casefold()
    value = re.sub(r"^\d+\s*[.)]\s*", "", value)
    return value.rstrip(" .?:*").strip()


def form_layout(headers: Sequence[object], instrument: Instrument, file_name: str) -> FormLayout | Problem:
    """Tell the columns of a form export apart, or why the file cannot be read as one."""
    questions = {header_text(item.text): item.code for lv in instrument.levels for item in lv.items}
    questions.update({header_text(code): code for code in instrument.item_levels()})
    questions.update({header_text(text): code for text, code in instrument.questions.items()})
    alumnus = respondent = wave = None
    asked: dict[int, str] = {}
    unknown: list[str] = []
    for column, raw in enumerate(headers):
        text = header_text(raw)
        grid = re.search(r"\[(.+)\]\s*$", str(raw or ""))
        item = questions.get(text) or (questions.get(header_text(grid.group(1))) if grid else None)
        if not text:
            continue
        if text in ALUMNUS and alumnus is None:
            alumnus = column
        elif text in RESPONDENT and respondent is None:
            respondent = column
        elif text in WAVE and wave is None:
            wave = column
        elif item is not None:
            if item in asked.values():
                return Problem("form.question_twice", None, {"file": file_name, "value": str(raw)})
            asked[column] = item
        elif text not in BOOKKEEPING:
            unknown.append(str(raw))
    if alumnus is None:
        return Problem("form.no_alumnus", None, {"file": file_name})
    if unknown:
        return Problem("form.unknown_questions", None, {"file": file_name, "value": "; ".join(unknown[:5])})
    if not asked:
        return Problem("form.no_questions", None, {"file": file_name})
    is_nip = respondent is not None and "nip" in header_text(headers[respondent])
    return FormLayout(alumnus, respondent, wave, asked, is_nip)


def form_answers(
    rows: Sequence[Sequence[object]], first_row_number: int, layout: FormLayout, role: str, wave: str
) -> pd.DataFrame:
    """One long-format row per answer given (an empty cell is a question skipped, not an answer).

    Text columns as the answers file has them (``nip``, ``role``, ``respondent``, ``wave``, ``item``,
    ``answer``), ``row_number`` the form row. A peer without an identifier column is told apart by
    their form row, so the same export sent again gives the same respondents.
    """
    records = []
    for offset, row in enumerate(rows):
        number = first_row_number + offset

        def cell(column: int | None, row: Sequence[object] = row) -> object:
            return row[column] if column is not None and column < len(row) else None

        if not any(v not in (None, "") for v in row):
            continue
        # The alumnus answers about themselves; a superior is known by NIP (else the recorded mentor);
        # a peer by whatever the form gives (an address, a code), else their form row.
        respondent = cell(layout.respondent)
        if role == "alumni" or (role == "atasan" and not layout.respondent_is_nip):
            respondent = None
        elif respondent in (None, "") and role == "rekan":
            respondent = f"baris-{number}"
        for column, item in layout.questions.items():
            answer = cell(column)
            if answer in (None, ""):
                continue
            records.append(
                {
                    "row_number": number,
                    "nip": cell(layout.alumnus),
                    "role": role,
                    "respondent": respondent,
                    "wave": cell(layout.wave) or wave,
                    "item": item,
                    "answer": answer,
                }
            )
    columns = ["row_number", "nip", "role", "respondent", "wave", "item", "answer"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["row_number"] = frame["row_number"].astype("int64")
    for column in columns[1:]:
        frame[column] = (
            frame[column].astype(object).where(frame[column].notna(), None).map(lambda v: None if v is None else str(v))
        )
    return frame
