"""Tasks of evidence ingestion: read, gate against the cohort, save."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from diklat import faultpoints
from diklat.bootstrap import services
from diklat.domain.evaluation import ResponseContext
from diklat.domain.evaluation.forms import form_answers, form_layout
from diklat.domain.evaluation.instruments import merged_instrument
from diklat.domain.evidence import EvidenceContext
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.problems import Blocked, FileProblem, Problem
from diklat.gate.evidence import gate_evidence, gate_responses
from diklat.io.read import RawTable, read_rows, read_table
from diklat.store import cohorts
from diklat.store.evaluation import pin_waves, response_context
from diklat.store.evidence import evidence_context, save_evidence
from diklat.templates import available_instruments, version_key
from schemas.files import RESPONSES, SPECS
from schemas.instrument import Instrument
from tasks.common import compute_task, current_instrument, current_run_id, gate_whole_file, io_task, operator_file

ACTOR = "ingest-evidence"


@io_task
def read_evidence(kind: str, path: str, form: tuple[str, str | None] | None = None) -> RawTable | Blocked:
    """Read an evidence file (CSV or Excel) into text columns with canonical names.

    ``form`` (role, wave): the file is a survey form export, one column per question; its answers
    become rows of the long answers format.
    """
    try:
        if form is not None:
            return read_form_export(operator_file(path), *form)
        return read_table(operator_file(path), SPECS[kind])
    except FileProblem as error:
        return Blocked.from_error(error)


def read_form_export(path: Path, role: str, wave: str | None) -> RawTable:
    """A Google Forms or Microsoft Forms export as answers rows (see diklat.domain.evaluation.forms)."""
    name, sha, rows = read_rows(path)
    header = next((i for i, row in enumerate(rows) if any(row)), None)
    if header is None:
        raise FileProblem(Problem("file.empty", None, {"file": name}), name)
    layout = form_layout(rows[header], form_instrument(), name)
    if isinstance(layout, Problem):
        raise FileProblem(layout, name)
    if wave is None and layout.wave is None:
        raise FileProblem(Problem("form.no_wave", None, {"file": name}), name)
    frame = form_answers(rows[header + 1 :], header + 2, layout, role, wave or "")
    if frame.empty:
        raise FileProblem(Problem("file.empty", None, {"file": name}), name)
    headers = {c.name: c.aliases[0] for c in RESPONSES.columns}
    return RawTable(name, sha, frame, headers, header + 1)


def form_instrument() -> Instrument:
    """Every version of the current instrument together: a form's questions may come from any of them
    (the gate then checks each answer against the version its wave runs with)."""
    current = current_instrument()
    folder = services().settings.template_dir
    versions = {i.key: i for i in available_instruments(folder).values() if i.code == current.code}
    versions[current.key] = current  # also when DIKLAT_INSTRUMENT names a file outside the folders
    return merged_instrument(sorted(versions.values(), key=lambda i: version_key(i.version)))


@io_task
def find_cohort(program: str, number: int) -> cohorts.CohortRef | Blocked:
    """The cohort as recorded (evidence never creates one)."""
    with services().unit_of_work() as session:
        ref = cohorts.find_cohort(session, program, number)
    return ref or Blocked(Problem("cohort.unknown", None, {"program": program, "cohort": number}))


@io_task
def load_evidence_context(cohort: cohorts.CohortRef, kind: str = "attendance") -> EvidenceContext | ResponseContext:
    """What the file is checked against: sessions and stages, or (survey answers) alumni and waves."""
    with services().unit_of_work() as session:
        if kind == "responses":
            return response_context(session, cohort)
        return evidence_context(session, cohort)


@compute_task
def validate_evidence(
    kind: str, table: RawTable, ctx: EvidenceContext | ResponseContext, today: date
) -> Gated | Blocked:
    """The Great Expectations gate for this kind of evidence."""
    if kind == "responses":
        return gate_whole_file(
            table.frame, lambda f: gate_responses(f, current_instrument(), ctx, today), table.file_name
        )
    return gate_whole_file(table.frame, lambda f: gate_evidence(kind, f, ctx, today), table.file_name)


@io_task
def save_evidence_rows(gated: Gated, cohort: cohorts.CohortRef, table: RawTable) -> BatchCounts:
    """Upsert the accepted rows and store the quarantine, in one transaction."""
    with services().unit_of_work() as session:
        if gated.kind == "responses":  # each answer under the version its wave runs with (pinned on first use)
            accepted = gated.accepted
            pinned = pin_waves(session, cohort.cohort_id, accepted["wave"].dropna().unique(), current_instrument())
            gated = replace(gated, accepted=accepted.assign(instrument_id=accepted["wave"].map(pinned)))
        counts = save_evidence(session, gated, cohort, table.file_name, table.sha256, ACTOR, current_run_id())
        faultpoints.reached(f"{gated.kind}.before-commit")
    return counts
