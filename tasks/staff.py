"""Tasks of the coaches and examiners lists: the same gate, quarantine and record as any other file."""

from __future__ import annotations

from datetime import date

from diklat.bootstrap import services
from diklat.domain.gated import BatchCounts, Gated
from diklat.domain.problems import Blocked
from diklat.gate.staff import gate_staff
from diklat.io.read import RawTable
from diklat.store.cohorts import CohortRef
from diklat.store.staff import save_staff_list
from tasks.common import compute_task, current_run_id, gate_whole_file, io_task


@compute_task
def validate_staff(kind: str, table: RawTable, today: date) -> Gated | Blocked:
    """Coaches or examiners through their suite; a list of mostly unusable rows is refused whole."""
    return gate_whole_file(table.frame, lambda f: gate_staff(kind, f, today), table.file_name)


@io_task
def record_staff(gated: Gated, cohort: CohortRef, table: RawTable) -> BatchCounts:
    """The file's batch and quarantined rows, once per cohort and file."""
    with services().unit_of_work() as session:
        return save_staff_list(session, gated, cohort, table.file_name, table.sha256, current_run_id())
