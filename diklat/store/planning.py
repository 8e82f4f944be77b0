"""What cohort planning reads from diklat's own records: its graduates and the cohorts still running."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.store.cohorts import cohort_refs
from schemas import tables as t
from schemas.template import Template


def graduate_nips(session: Session) -> set[str]:
    """NIPs of everyone who passed a cohort recorded here (they count as trained, whatever the roster says)."""
    return set(session.scalars(select(t.Enrolment.nip).join(t.Result).where(t.Result.status == "lulus")))


def enrolled_in_running(session: Session) -> set[str]:
    """NIPs of active participants of cohorts still open: they have a place, they are not waiting for one."""
    return set(
        session.scalars(
            select(t.Enrolment.nip)
            .join(t.Cohort, t.Cohort.id == t.Enrolment.cohort_id)
            .where(t.Cohort.status == "open", t.Enrolment.status == "active")
        )
    )


def running_cohorts(session: Session) -> list[tuple[Template, date]]:
    """Template and start date of every open cohort: their classical phases already hold a classroom."""
    ids = list(session.scalars(select(t.Cohort.id).where(t.Cohort.status == "open").order_by(t.Cohort.id)))
    return [(ref.template, ref.start_date) for ref in cohort_refs(session, ids)]
