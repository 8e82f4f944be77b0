"""Every file the flows read, for one synthetic cohort, consistent with each other (the same people).

``diklat generate cohort`` writes them for a tester or a trainer of operators: the roster and the
coaches list to open the cohort, its evidence files, the score sheet and examiners list, the answers
of the first evaluation wave, and a cohort list for the batch flows. ``faults`` bad rows go into
every file (quarantined with their reasons when the file is loaded), and the roster's fault-free
copy is written beside it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.synth.evidence import make_evidence
from diklat.synth.manifest import write_manifest
from diklat.synth.responses import make_responses
from diklat.synth.roster import coaches_frame, make_roster, write_table
from diklat.synth.scores import make_scores
from schemas.instrument import default_instrument
from schemas.template import Template


@dataclass(frozen=True)
class Written:
    kind: str
    path: Path
    rows: int
    bad_rows: int


def write_cohort_files(
    folder: Path, template: Template, rows: int = 30, faults: int = 0, seed: int = 1, start: date = date(2022, 7, 14)
) -> list[Written]:
    """Write the cohort's files into ``folder``; returns what was written, with the bad rows in each."""
    folder.mkdir(parents=True, exist_ok=True)
    roster = make_roster(rows, seed=seed, today=start, faults=faults)
    faulty = {f.nip for f in roster.faults}
    people = [p for p in roster.people if p.nip not in faulty]  # the rows the gate will accept
    nips = [p.nip for p in people]
    coaches = coaches_frame(max(1, math.ceil(rows / template.coaching.max_participants_per_coach)), seed=seed)
    coaches = _with_bad_staff(coaches, faults, seed)
    # Headers only an examiners list has: "NIP, NAMA" alone could be a coaches list too (the inbox would ask).
    examiners = coaches_frame(2, seed=seed + 1000).drop(columns=["EMAIL"])
    examiners.columns = ["NIP PENILAI", "NAMA PENILAI"]
    calendar = build_calendar(template, start, days_off_for(template, start))
    evidence = make_evidence(nips, calendar, template, seed, calendar.end_date, bad_rows=faults)
    scores = make_scores(nips, list(examiners["NIP PENILAI"]), template.assessment, seed).frame
    scores = _with_bad_scores(scores, faults, seed)
    answers = make_responses(
        nips, {p.nip: p.superior_nip for p in people}, default_instrument(), template.evaluation, seed, wave="3m"
    ).frame
    answers = _with_bad_answers(answers, faults, seed, template.evaluation.likert_max)

    out = [
        _write("roster", roster.frame, folder / "peserta.xlsx", len(roster.faults)),
        _write("roster (fault-free)", roster.clean_frame, folder / "peserta-benar.xlsx", 0),
        _write("coaches", coaches, folder / "coach.xlsx", faults),
        _write("assessors", examiners, folder / "penilai.xlsx", 0),
        _write("attendance", evidence.attendance, folder / "presensi.xlsx", len(evidence.bad_rows["attendance"])),
        _write("guidance", evidence.guidance, folder / "bimbingan.xlsx", len(evidence.bad_rows["guidance"])),
        _write(
            "deliverables",
            evidence.deliverables,
            folder / "aksi-perubahan.xlsx",
            len(evidence.bad_rows["deliverables"]),
        ),
        _write("scores", scores, folder / "nilai.xlsx", faults),
        _write("responses", answers, folder / "jawaban-3m.xlsx", faults),
    ]
    manifest = write_manifest(
        [
            {
                "cohort": 1,
                "start": start,
                "roster": out[0].path,
                "coaches": out[2].path,
                "scores": out[7].path,
                "assessors": out[3].path,
            }
        ],
        folder / "daftar-angkatan.xlsx",
    )
    out.append(Written("manifest", manifest, 1, 0))
    return out


def _write(kind: str, frame: pd.DataFrame, path: Path, bad: int) -> Written:
    return Written(kind, write_table(frame, path), len(frame), bad)


def _with_bad_staff(frame: pd.DataFrame, bad: int, seed: int) -> pd.DataFrame:
    """``bad`` extra rows a coaches gate must quarantine: a NIP that lost digits, a row without a name."""
    rng = random.Random(f"{seed}:staff-faults")
    extra = []
    for i in range(bad):
        nip = str(rng.randint(10**17, 10**18 - 1))
        extra.append(
            {"NIP": nip[:15], "NAMA": "Coach Tambahan", "EMAIL": ""}
            if i % 2 == 0
            else {"NIP": nip, "NAMA": "", "EMAIL": ""}
        )
    return pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True) if extra else frame


def _with_bad_answers(frame: pd.DataFrame, bad: int, seed: int, likert_max: int) -> pd.DataFrame:
    """``bad`` extra answers the gate must quarantine: off the scale, or an item no instrument asks."""
    rng = random.Random(f"{seed}:answer-faults")
    likert = frame[frame["JAWABAN"].str.fullmatch(r"[1-9]")]
    extra = []
    for i in range(bad):
        row = likert.iloc[rng.randrange(len(likert))].to_dict()
        if i % 2 == 0:
            row["JAWABAN"] = str(likert_max + 2)
        else:
            row["BUTIR"] = "butir_tidak_ada"
        extra.append(row)
    return pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True) if extra else frame


def _with_bad_scores(frame: pd.DataFrame, bad: int, seed: int) -> pd.DataFrame:
    """``bad`` extra score rows the gate must quarantine, each for a different reason in turn."""
    rng = random.Random(f"{seed}:score-faults")
    kinds = (
        ("NILAI", "sembilan puluh"),  # not a number
        ("NILAI", "120"),  # out of range
        ("NILAI", "85,1234"),  # more decimals than kept
        ("KOMPONEN", "Olahraga"),  # not a component
    )
    extra = []
    for i in range(bad):
        row = frame.iloc[rng.randrange(len(frame))].to_dict()
        column, value = kinds[i % len(kinds)]
        row[column] = value
        extra.append(row)
    return pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True) if extra else frame
