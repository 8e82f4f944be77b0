"""The grading task: every participant of a chunk of cohorts decided, ranked and saved in one transaction.

A few set-based queries load the chunk, the rules run in the domain (standing, decisions, ranks),
and only changed results are written: queries and task runs grow with cohorts / chunk size, never
with participants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from diklat import faultpoints
from diklat.bootstrap import services
from diklat.domain.grading import BELUM_LENGKAP, Standing, remark
from diklat.domain.progress import check_progress
from diklat.domain.results import Result, cohort_results, status_counts
from diklat.domain.scores import scores_by_person
from diklat.domain.standing import standings
from diklat.store.assessment import milestones_many, participants_many
from diklat.store.cohorts import CohortRef
from diklat.store.progress import load_inputs
from diklat.store.results import save_results_changed
from diklat.store.scores import load_scores_many, quarantined_score_nips
from tasks.common import Bulk, io_task

ACTOR = "final-assessment"


@dataclass
class Graded:
    """Counts per status, and whom the recap and certificates are for."""

    statuses: dict[str, int]
    changed: int
    incomplete: int
    # enrolment_id, status, final_score, qualification, rank, remark: a Bulk, which Prefect does not walk
    rows: Bulk[dict] = field(default_factory=Bulk)


@io_task
def grade_cohorts(cohorts: list[CohortRef], as_of: Mapping[int, date], sources: Mapping[int, str]) -> dict[int, Graded]:
    """Decide every participant's result from scores and standing, rank per cohort, and save (audited)."""
    ids = [c.cohort_id for c in cohorts]
    with services().unit_of_work() as session:
        people = participants_many(session, ids)
        scores = scores_by_person(load_scores_many(session, ids))
        waiting = quarantined_score_nips(session, ids)
        held = frozenset(
            e
            for e, cohort_id, nip in zip(people["enrolment_id"], people["cohort_id"], people["nip"], strict=True)
            if (cohort_id, nip) in waiting
        )
        standing: dict[int, Standing] = {}
        for day in sorted({as_of[i] for i in ids}):
            # Cohorts assessed on the same day share one progress computation (it is vectorised).
            same_day = [c for c in cohorts if as_of[c.cohort_id] == day]
            same_ids = [c.cohort_id for c in same_day]
            progress = check_progress(load_inputs(session, same_day, day), day)
            mine = people[people["cohort_id"].isin(same_ids)]
            milestones = milestones_many(session, same_ids)
            standing.update(standings(progress.statuses, milestones, progress.participants, mine, held))

        seats: dict[int, list[int]] = {i: [] for i in ids}  # cohort -> enrolments in seat order, grouped once
        for cohort_id, enrolment_id in zip(people["cohort_id"].tolist(), people["enrolment_id"].tolist(), strict=True):
            seats[cohort_id].append(enrolment_id)
        rows, source_of, graded = [], {}, {}
        for cohort in cohorts:
            results = cohort_results(seats[cohort.cohort_id], scores, standing, cohort.template.assessment)
            rows += results
            source_of.update(dict.fromkeys((r.enrolment_id for r in results), sources[cohort.cohort_id]))
            counts = status_counts(r.status for r in results)
            graded[cohort.cohort_id] = Graded(counts, 0, counts.get(BELUM_LENGKAP, 0), Bulk(map(_plain, results)))
        changed = save_results_changed(session, rows, ACTOR, source_of)
    faultpoints.reached("grading.committed")  # results saved, no certificate yet
    cohort_of = {e: cohort_id for cohort_id, enrolments in seats.items() for e in enrolments}
    for enrolment_id in changed:
        graded[cohort_of[enrolment_id]].changed += 1
    return graded


def _plain(result: Result) -> dict:
    """What the certificates, recap and artifacts need of a result (the explanation stays in the database)."""
    return {
        "enrolment_id": result.enrolment_id,
        "status": result.status,
        "final_score": result.final_score,
        "qualification": result.qualification,
        "rank": result.rank,
        "remark": remark(result.explanation),  # why not a plain pass, for the recap's remarks column
    }
