"""The recap task: the rekap nilai (XLSX and PDF) of each cohort of a chunk."""

from __future__ import annotations

from collections.abc import Mapping

from diklat.bootstrap import services
from diklat.domain.scores import scores_by_person
from diklat.report.recap import RecapMeta, RecapRow, component_scores, write_recap_pdf, write_recap_xlsx
from diklat.store.assessment import participants_many
from diklat.store.cohorts import CohortRef
from diklat.store.scores import load_scores_many
from tasks.common import io_task
from tasks.grading import Graded
from tasks.reports import cohort_folder


@io_task
def write_recaps(cohorts: list[CohortRef], graded: Mapping[int, Graded]) -> dict[int, list[str]]:
    """The rekap nilai (XLSX and PDF) of each cohort."""
    agency = services().settings.agency
    ids = [c.cohort_id for c in cohorts]
    with services().unit_of_work() as session:
        people = {p["enrolment_id"]: p for p in participants_many(session, ids).to_dict("records")}
        scores = scores_by_person(load_scores_many(session, ids))
    out = {}
    for cohort in cohorts:
        components = [c.code for c in cohort.template.assessment.components]
        rows = []
        for r in graded[cohort.cohort_id].rows:
            person = people[r["enrolment_id"]]
            rows.append(
                RecapRow(
                    r["rank"],
                    person["nip"],
                    person["name"],
                    component_scores(scores.get(r["enrolment_id"], {}), components),
                    r["final_score"],
                    r["qualification"],
                    r["status"],
                    r.get("remark"),
                )
            )
        meta = RecapMeta(
            agency,
            cohort.programme,
            cohort.label,
            cohort.start_date,
            cohort.end_date,
            [(c.code, c.title, c.weight) for c in cohort.template.assessment.components],
            {m.code: m.title for m in cohort.template.milestones},
            cohort.template.attendance_minimum_percent,
        )
        folder = cohort_folder(cohort)
        out[cohort.cohort_id] = [
            str(write_recap_xlsx(meta, rows, folder / "rekap-nilai.xlsx")),
            str(write_recap_pdf(meta, rows, folder / "rekap-nilai.pdf")),
        ]
    return out
