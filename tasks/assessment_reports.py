"""Showing a cohort's final assessment to the operator: artifacts in the Prefect UI (text built in diklat.report)."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from diklat.bootstrap import services
from diklat.domain.names import slug
from diklat.i18n import translator
from diklat.report.assessment import results_table, summary_markdown
from diklat.store.assessment import participants
from tasks.certificates import Certificates
from tasks.common import io_task
from tasks.grading import Graded


@io_task
def publish_results(cohort_id: int, label: str, graded: Graded, certificates: Certificates) -> None:
    """Results table (NIPs masked) and a headline summary in the Prefect UI."""
    _ = translator()
    with services().unit_of_work() as session:
        people = participants(session, cohort_id)
    nips = dict(zip(people["enrolment_id"], people["nip"], strict=True))
    key = slug(f"assessment-{label}")
    create_table_artifact(
        results_table(graded.rows, nips),
        key=f"{key}-results",
        description=_("Final results of {cohort}").format(cohort=label),
    )
    create_markdown_artifact(
        summary_markdown(label, graded.statuses, certificates.issued + certificates.reissued),
        key=f"{key}-summary",
        description=_("Final assessment summary"),
    )
