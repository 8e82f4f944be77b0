"""Tasks of cohort opening: thin wrappers that do the I/O and call the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from diklat import faultpoints
from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.guidance import mentor_contacts
from diklat.domain.problems import Blocked, FileProblem, Problem
from diklat.gate.roster import gate_roster
from diklat.gate.suites import RosterRules
from diklat.io.read import RawTable, read_table
from diklat.store import cohorts, guides
from diklat.store.calendar import write_calendar
from diklat.store.roster import save_roster
from schemas.files import COACHES, ROSTER
from schemas.template import Template
from tasks.common import compute_task, current_run_id, gate_whole_file, io_task, operator_file

ACTOR = "open-cohort"


@io_task
def read_roster(path: str) -> RawTable | Blocked:
    """Read the roster file (CSV or Excel) into text columns with canonical names."""
    try:
        return read_table(operator_file(path), ROSTER)
    except FileProblem as error:
        return Blocked.from_error(error)


@io_task
def read_coaches(path: str) -> RawTable | Blocked:
    """Read the coaches file (NIP, NAMA, EMAIL)."""
    try:
        return read_table(operator_file(path), COACHES)
    except FileProblem as error:
        return Blocked.from_error(error)


@io_task
def prepare_cohort(program: str, number: int, start: date, template: Template) -> cohorts.CohortRef | Blocked:
    """Create the programme and cohort on first use; later runs get the cohort as first opened."""
    try:
        with services().unit_of_work() as session:
            return cohorts.ensure_cohort(session, program, number, start, template, ACTOR)
    except cohorts.CohortConflict as conflict:
        return Blocked(Problem(conflict.code, None, conflict.params))


@io_task
def load_roster_rules(cohort: cohorts.CohortRef) -> RosterRules:
    """What the roster is checked against: template rules, this cohort and other running cohorts."""
    with services().unit_of_work() as session:
        return RosterRules(
            minimum_golongan=cohort.template.minimum_golongan,
            capacity=cohort.template.capacity,
            enrolled_here=cohorts.enrolled_nips(session, cohort.cohort_id),
            running_elsewhere=cohorts.running_enrolments_elsewhere(session, cohort.cohort_id),
        )


@compute_task
def validate_roster(table: RawTable, rules: RosterRules, today: date) -> Gated | Blocked:
    """The Great Expectations gate: every row accepted or quarantined with its reasons (or the file refused)."""
    return gate_whole_file(table.frame, lambda f: gate_roster(f, rules, today), table.file_name)


@io_task
def save_enrolments(gated: Gated, cohort: cohorts.CohortRef, table: RawTable) -> BatchCounts:
    """Upsert employees and enrolments, store the quarantine, in one transaction."""
    with services().unit_of_work() as session:
        counts = save_roster(session, gated, cohort, table.file_name, table.sha256, ACTOR, current_run_id())
        faultpoints.reached("roster.before-commit")
    faultpoints.reached("roster.committed")
    return counts


@io_task
def assign_guides(cohort: cohorts.CohortRef, gated: Gated, coaches: Gated | None) -> guides.GuideCounts:
    """Mentor = NIP ATASAN; the coaches the gate accepted, spread evenly."""
    accepted = gated.accepted
    superiors = dict(zip(accepted["nip"], accepted["superior_nip"], strict=True))
    mentors = mentor_contacts(accepted["superior_nip"], accepted["superior_name"], accepted["superior_email"])
    frame = None if coaches is None else coaches.accepted
    with services().unit_of_work() as session:
        return guides.save_guides(session, cohort, superiors, frame, ACTOR, mentors)


@dataclass(frozen=True)
class CalendarCounts:
    sessions: int
    milestones: int
    end_date: date


@io_task
def generate_calendar(cohort: cohorts.CohortRef) -> CalendarCounts:
    """Write the cohort's sessions and milestones from its template (existing ones are kept)."""
    with services().unit_of_work() as session:
        return CalendarCounts(*write_calendar(session, cohort))
