"""Coach and mentor assignments of a cohort."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import upsert
from diklat.domain.guidance import assign_coaches
from diklat.store.audit import audit_many
from diklat.store.cohorts import CohortRef
from schemas import tables as t


@dataclass(frozen=True)
class GuideCounts:
    participants: int
    mentors: int
    coaches_assigned: int
    without_coach: int
    without_mentor: int


def save_guides(
    session: Session, cohort: CohortRef, superiors: dict[str, str | None], coaches: pd.DataFrame | None, actor: str
) -> GuideCounts:
    """Mentor = the NIP ATASAN given in the roster; coaches fill up evenly, existing ones kept."""
    enrolments = dict(
        session.execute(
            select(t.Enrolment.nip, t.Enrolment.id).where(
                t.Enrolment.cohort_id == cohort.cohort_id, t.Enrolment.status == "active"
            )
        ).all()
    )
    current = {
        (e, r): nip
        for e, r, nip in session.execute(
            select(t.Assignment.enrolment_id, t.Assignment.role, t.Assignment.person_nip)
            .join(t.Enrolment)
            .where(t.Enrolment.cohort_id == cohort.cohort_id)
        )
    }
    mentor_rows, audits = [], []
    for nip, superior in superiors.items():
        eid = enrolments.get(nip)
        if eid is None or not isinstance(superior, str) or current.get((eid, "mentor")) == superior:
            continue
        if (eid, "mentor") in current:
            audits.append(
                {
                    "actor": actor,
                    "action": "update",
                    "entity": "mentor",
                    "entity_key": str(eid),
                    "old_value": {"nip": current[(eid, "mentor")]},
                    "new_value": {"nip": superior},
                    "source": None,
                }
            )
        mentor_rows.append({"enrolment_id": eid, "role": "mentor", "person_nip": superior})
    upsert(session, t.Assignment.__table__, mentor_rows, ["enrolment_id", "role"], update=["person_nip"])
    audit_many(session, audits)

    assigned = 0
    if coaches is not None and not coaches.empty:
        names = dict(zip(coaches["nip"], coaches["name"], strict=True))
        emails = dict(zip(coaches["nip"], coaches.get("email", pd.Series([None] * len(coaches))), strict=True))
        load = dict(
            session.execute(
                select(t.Assignment.person_nip, func.count())
                .join(t.Enrolment)
                .where(t.Enrolment.cohort_id == cohort.cohort_id, t.Assignment.role == "coach")
                .group_by(t.Assignment.person_nip)
            ).all()
        )
        waiting = sorted(nip for nip, eid in enrolments.items() if (eid, "coach") not in current)
        plan = assign_coaches(waiting, list(coaches["nip"]), load, cohort.template.coaching.max_participants_per_coach)
        upsert(
            session,
            t.Assignment.__table__,
            [
                {
                    "enrolment_id": enrolments[nip],
                    "role": "coach",
                    "person_nip": coach,
                    "person_name": names[coach],
                    "email": emails.get(coach),
                }
                for nip, coach in plan.items()
            ],
            ["enrolment_id", "role"],
        )
        assigned = len(plan)
    roles = session.execute(
        select(t.Assignment.role, func.count())
        .join(t.Enrolment)
        .where(t.Enrolment.cohort_id == cohort.cohort_id, t.Enrolment.status == "active")
        .group_by(t.Assignment.role)
    ).all()
    have = dict(roles)
    return GuideCounts(
        participants=len(enrolments),
        mentors=have.get("mentor", 0),
        coaches_assigned=assigned,
        without_coach=len(enrolments) - have.get("coach", 0),
        without_mentor=len(enrolments) - have.get("mentor", 0),
    )
