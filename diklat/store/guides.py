"""Coach and mentor assignments of a cohort."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from diklat.db.bulk import rows_in, upsert
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


@dataclass(frozen=True)
class GuideInput:
    """One cohort's guides as given: mentor = NIP ATASAN per participant, and its coaches file."""

    cohort: CohortRef
    superiors: Mapping[str, str | None]
    coaches: pd.DataFrame | None
    mentors: Mapping[str, tuple] = field(default_factory=dict)  # mentor NIP -> (name, e-mail) from the roster


def save_guides(
    session: Session,
    cohort: CohortRef,
    superiors: dict[str, str | None],
    coaches: pd.DataFrame | None,
    actor: str,
    mentors: Mapping[str, tuple] | None = None,
) -> GuideCounts:
    """Mentor = the NIP ATASAN given in the roster; coaches fill up evenly, existing ones kept."""
    return save_guides_many(session, [GuideInput(cohort, superiors, coaches, mentors or {})], actor)[cohort.cohort_id]


def save_guides_many(session: Session, inputs: Sequence[GuideInput], actor: str) -> dict[int, GuideCounts]:
    """``save_guides`` for many cohorts with a fixed number of statements (cohort id -> counts).

    Per-cohort queries inside one long transaction degrade on PostgreSQL (its statistics still
    describe the empty tables), so every read and write here covers all the cohorts at once.
    """
    ids = [i.cohort.cohort_id for i in inputs]
    enrolments: dict[int, dict[str, int]] = {i: {} for i in ids}
    for cohort_id, nip, eid in rows_in(
        session,
        select(t.Enrolment.cohort_id, t.Enrolment.nip, t.Enrolment.id).where(t.Enrolment.status == "active"),
        t.Enrolment.cohort_id,
        ids,
    ):
        enrolments[cohort_id][nip] = eid
    current: dict[tuple[int, str], str] = {}
    contact: dict[int, tuple] = {}  # enrolment -> its mentor's (name, e-mail) as stored
    coach_load: dict[int, dict[str, int]] = {i: {} for i in ids}
    for cohort_id, eid, role, nip, name, email in rows_in(
        session,
        select(
            t.Enrolment.cohort_id,
            t.Assignment.enrolment_id,
            t.Assignment.role,
            t.Assignment.person_nip,
            t.Assignment.person_name,
            t.Assignment.email,
        ).join(t.Enrolment),
        t.Enrolment.cohort_id,
        ids,
    ):
        current[(eid, role)] = nip
        if role == "mentor":
            contact[eid] = (name, email)
        if role == "coach":
            coach_load[cohort_id][nip] = coach_load[cohort_id].get(nip, 0) + 1

    mentor_rows, coach_rows, audits, assigned = [], [], [], {}
    for item in inputs:
        mine = enrolments[item.cohort.cohort_id]
        for nip, superior in item.superiors.items():
            eid = mine.get(nip)
            if eid is None or not isinstance(superior, str):
                continue
            same = current.get((eid, "mentor")) == superior
            given = item.mentors.get(superior, (None, None))
            if same and given in ((None, None), contact.get(eid)):
                continue  # the same mentor, nothing new about them
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
            if same:  # keep what was known of this mentor where the roster now leaves it empty
                known = contact.get(eid, (None, None))
                given = tuple(g if g is not None else k for g, k in zip(given, known, strict=True))
            mentor_rows.append(
                {
                    "enrolment_id": eid,
                    "role": "mentor",
                    "person_nip": superior,
                    "person_name": given[0],
                    "email": given[1],
                }
            )
        coaches = item.coaches
        assigned[item.cohort.cohort_id] = 0
        if coaches is None or coaches.empty:
            continue
        names = dict(zip(coaches["nip"], coaches["name"], strict=True))
        emails = dict(zip(coaches["nip"], coaches.get("email", pd.Series([None] * len(coaches))), strict=True))
        waiting = sorted(nip for nip, eid in mine.items() if (eid, "coach") not in current)
        plan = assign_coaches(
            waiting,
            list(coaches["nip"]),
            coach_load[item.cohort.cohort_id],
            item.cohort.template.coaching.max_participants_per_coach,
        )
        coach_rows += [
            {
                "enrolment_id": mine[nip],
                "role": "coach",
                "person_nip": coach,
                "person_name": names[coach],
                "email": emails.get(coach),
            }
            for nip, coach in plan.items()
        ]
        assigned[item.cohort.cohort_id] = len(plan)
    upsert(
        session,
        t.Assignment.__table__,
        mentor_rows,
        ["enrolment_id", "role"],
        update=["person_nip", "person_name", "email"],
    )
    upsert(session, t.Assignment.__table__, coach_rows, ["enrolment_id", "role"])
    audit_many(session, audits)

    have: dict[int, dict[str, int]] = {i: {} for i in ids}
    for cohort_id, role, n in rows_in(
        session,
        select(t.Enrolment.cohort_id, t.Assignment.role, func.count())
        .join(t.Enrolment)
        .where(t.Enrolment.status == "active")
        .group_by(t.Enrolment.cohort_id, t.Assignment.role),
        t.Enrolment.cohort_id,
        ids,
    ):
        have[cohort_id][role] = n
    return {
        i: GuideCounts(
            participants=len(enrolments[i]),
            mentors=have[i].get("mentor", 0),
            coaches_assigned=assigned[i],
            without_coach=len(enrolments[i]) - have[i].get("coach", 0),
            without_mentor=len(enrolments[i]) - have[i].get("mentor", 0),
        )
        for i in ids
    }
