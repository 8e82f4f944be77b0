"""Tasks of opening many cohorts at once: each works on a whole chunk of cohorts, never one participant.

The steps are those of opening one cohort (read, gate, persist, guides, calendar); what changes is
the unit of work. A chunk's rosters are validated in one Great Expectations run and written in one
transaction, so a retried or re-run chunk either wrote everything or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.guidance import mentor_contacts
from diklat.domain.manifest import ManifestEntry, parse_manifest
from diklat.domain.problems import Blocked, FileProblem, Problem
from diklat.gate.roster import COHORT, gate_rosters
from diklat.gate.staff import gate_staff
from diklat.gate.suites import RosterRules
from diklat.io.read import RawTable, read_table
from diklat.messages import render
from diklat.report.quarantine import blocked_text, masked_problem, write_rejected_file
from diklat.store import cohorts, guides
from diklat.store.batches import CohortFile, new_quarantine
from diklat.store.calendar import write_calendars
from diklat.store.roster import save_rosters
from diklat.store.staff import save_staff_lists
from schemas.files import COACHES, MANIFEST, ROSTER
from schemas.template import Template
from tasks.common import compute_task, current_run_id, io_task, operator_file, refuse_mostly_invalid
from tasks.reports import cohort_folder
from tasks.roster import ACTOR


@dataclass(frozen=True)
class HeldBack:
    """A cohort of the list that could not be opened this time, and why (operator's words, NIPs masked)."""

    cohort: int
    row_number: int
    reason: str


@dataclass
class Chunk:
    """Cohorts of one chunk that can go on, and those held back so far."""

    refs: dict[int, cohorts.CohortRef] = field(default_factory=dict)  # cohort number -> ref
    rules: dict[int, RosterRules] = field(default_factory=dict)
    held: list[HeldBack] = field(default_factory=list)


@dataclass(frozen=True)
class Rosters:
    """The chunk's roster and coaches files, read (by cohort number), and the cohorts held back."""

    tables: dict[int, RawTable]
    coaches: dict[int, RawTable]
    held: list[HeldBack]


@dataclass(frozen=True)
class OpenedCohort:
    ref: cohorts.CohortRef
    counts: BatchCounts
    headers: dict[str, str]  # how the file's headers were matched (the rejected-rows file keeps them)
    participants: int
    without_coach: int
    without_mentor: int
    end_date: date

    @property
    def label(self) -> str:
        return self.ref.label


@io_task
def read_cohort_list(path: str, needs: tuple[str, ...]) -> list[ManifestEntry] | Blocked:
    """The operator's list of cohorts; a row that cannot be used stops the run before any write."""
    try:
        where = operator_file(path)
        table = read_table(where, MANIFEST)
        return parse_manifest(table.frame, table.file_name, where.parent, needs)
    except FileProblem as error:
        return Blocked.from_error(error)


@io_task
def prepare_cohorts(program: str, entries: list[ManifestEntry], rosters: Rosters, template: Template) -> Chunk:
    """Create the chunk's cohorts whose files could be read, and load what their rosters are checked against."""
    chunk = Chunk()
    ready = [e for e in entries if e.cohort in rosters.tables]
    with services().unit_of_work() as session:
        try:
            refs, conflicts = cohorts.ensure_cohorts(
                session, program, [(e.cohort, e.start) for e in ready], template, ACTOR
            )
        except cohorts.CohortConflict as conflict:  # the template itself was refused: no cohort can open
            chunk.held += [_held(e, Problem(conflict.code, None, conflict.params), "roster") for e in ready]
            return chunk
        chunk.refs = {e.cohort: refs[e.cohort] for e in ready if e.cohort in refs}
        chunk.held += [
            _held(e, Problem(conflicts[e.cohort].code, None, conflicts[e.cohort].params), "roster")
            for e in ready
            if e.cohort in conflicts
        ]
        # A valid NIP is its digits: spaces and dots dropped here find the same official the gate will.
        candidates = pd.concat([rosters.tables[n].frame["nip"] for n in chunk.refs] or [pd.Series(dtype=str)])
        running = cohorts.open_enrolments(session, candidates.dropna().str.replace(r"\D", "", regex=True))
        enrolled = cohorts.enrolled_nips_many(session, [ref.cohort_id for ref in chunk.refs.values()])
        for number, ref in chunk.refs.items():
            chunk.rules[number] = RosterRules(
                minimum_golongan=ref.template.minimum_golongan,
                capacity=ref.template.capacity,
                enrolled_here=enrolled[ref.cohort_id],
                running_elsewhere=cohorts.Elsewhere(running, ref.cohort_id),
                label=ref.label,
            )
    return chunk


@io_task
def read_rosters(entries: list[ManifestEntry]) -> Rosters:
    """Read each cohort's roster (and coaches) file; an unusable file holds back its cohort only."""
    tables, coach_tables, held = {}, {}, []
    shared: dict[str, RawTable] = {}  # one coaches file is often listed for every cohort
    for entry in entries:
        try:
            tables[entry.cohort] = read_table(Path(entry.roster), ROSTER)
            if entry.coaches:
                if entry.coaches not in shared:
                    shared[entry.coaches] = read_table(Path(entry.coaches), COACHES)
                coach_tables[entry.cohort] = shared[entry.coaches]
        except FileProblem as error:
            tables.pop(entry.cohort, None)
            held.append(_held(entry, error.problem, "roster"))
    return Rosters(tables, coach_tables, held)


@dataclass(frozen=True)
class Screened:
    """The chunk's gated rosters, and the cohorts whose roster was refused whole (mostly unusable rows)."""

    gated: dict[int, Gated]
    held: list[HeldBack]
    coaches: dict[int, Gated] = field(default_factory=dict)  # each cohort's coaches list, gated


@compute_task
def validate_rosters(rosters: Rosters, chunk: Chunk, entries: list[ManifestEntry], today: date) -> Screened:
    """One Great Expectations run over every roster of the chunk; each row accepted or quarantined."""
    if not chunk.rules:
        return Screened({}, [])
    frame = pd.concat([rosters.tables[n].frame.assign(**{COHORT: n}) for n in chunk.rules], ignore_index=True)
    gated, held = {}, []
    rows = {e.cohort: e.row_number for e in entries}
    for number, one in gate_rosters(frame, chunk.rules, today).items():
        screened = refuse_mostly_invalid(one, rosters.tables[number].file_name)
        if isinstance(screened, Blocked):
            held.append(HeldBack(number, rows[number], blocked_text(screened, "roster")))
        else:
            gated[number] = screened
    # A coaches list is usually shared by the whole intake: gated once, its rows quarantined per cohort.
    coaches = {n: _gated_coaches(t, today) for n, t in rosters.coaches.items() if n in gated}
    return Screened(gated, held, coaches)


_COACHES_GATED: dict[tuple[str, date], Gated] = {}


def _gated_coaches(table: RawTable, today: date) -> Gated:
    """The coaches list gated once per content and day, also across the chunks of a run.

    The gate is a pure function of the file's content and the day; a national intake lists one
    coaches file for all 3,334 cohorts, and gating it again in each of 34 chunks cost ~3 s (issue #17).
    Nothing downstream changes a Gated (cohorts of a chunk already share one).
    """
    key = (table.sha256, today)
    if key not in _COACHES_GATED:
        if len(_COACHES_GATED) >= 16:
            _COACHES_GATED.clear()  # bounded: a cache, not a record
        _COACHES_GATED[key] = gate_staff("coaches", table.frame, today)
    return _COACHES_GATED[key]


@io_task
def save_cohorts(
    gated: dict[int, Gated], rosters: Rosters, chunk: Chunk, coaches: dict[int, Gated] | None = None
) -> list[OpenedCohort]:
    """Enrol, record the coaches lists, assign guides and lay out calendars for the chunk in one transaction."""
    numbers = list(gated)
    coaches = coaches or {}
    with services().unit_of_work() as session:
        counts = save_rosters(
            session,
            [
                CohortFile(gated[n], chunk.refs[n], rosters.tables[n].file_name, rosters.tables[n].sha256)
                for n in numbers
            ],
            ACTOR,
            current_run_id(),
        )
        guide_counts = guides.save_guides_many(
            session,
            [
                guides.GuideInput(
                    chunk.refs[n],
                    dict(zip(gated[n].accepted["nip"], gated[n].accepted["superior_nip"], strict=True)),
                    coaches[n].accepted if n in coaches else None,
                    mentor_contacts(
                        gated[n].accepted["superior_nip"],
                        gated[n].accepted["superior_name"],
                        gated[n].accepted["superior_email"],
                    ),
                )
                for n in numbers
            ],
            ACTOR,
        )
        calendars = write_calendars(session, [chunk.refs[n] for n in numbers])
        _record_coaches(session, [(coaches[n], chunk.refs[n], rosters.coaches[n]) for n in numbers if n in coaches])
    opened = []
    for n, count in zip(numbers, counts, strict=True):
        ref = chunk.refs[n]
        guide = guide_counts[ref.cohort_id]
        opened.append(
            OpenedCohort(
                ref,
                count,
                rosters.tables[n].headers,
                guide.participants,
                guide.without_coach,
                guide.without_mentor,
                calendars[ref.cohort_id][2],
            )
        )
    return opened


def _record_coaches(session: Any, lists: list[tuple[Gated, cohorts.CohortRef, RawTable]]) -> None:
    """Each cohort's coaches list: its batch and quarantined rows, and their rejected-rows file."""
    files = [CohortFile(gated, ref, table.file_name, table.sha256) for gated, ref, table in lists]
    recorded = save_staff_lists(session, files, current_run_id())
    quarantined = new_quarantine(session, recorded)
    for (_gated, ref, table), counts in zip(lists, recorded, strict=True):
        if counts.batch_id in quarantined:
            path = cohort_folder(ref) / f"coaches-rejected-batch-{counts.batch_id}.xlsx"
            write_rejected_file(quarantined[counts.batch_id], table.headers, path, "coaches")


def _held(entry: ManifestEntry, problem: Problem, kind: str) -> HeldBack:
    return HeldBack(entry.cohort, entry.row_number, render(masked_problem(problem), kind))
